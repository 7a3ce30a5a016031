/* The notifications bell (notifications/templates/notifications/bell.html). htmx polls the unread count;
   this only stops the polling while the tab is hidden and refreshes once when it is shown again. */
(function () {
  "use strict";

  if (window.helpdeskNotificationsBell) {
    return; // included once per page, but be safe
  }
  window.helpdeskNotificationsBell = true;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (document.hidden && source && source.hasAttribute("data-notifications-bell")) {
      event.preventDefault();
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && window.htmx) {
      window.htmx.trigger(document.body, "notifications-changed");
    }
  });
})();
