/* The Jalali date picker in the Persian admin (templates/admin/base_site.html; helpdesk/admin_site.py gives the
 * date inputs data-jdp data-jdp-only-date and the date-and-time inputs data-jdp). Like static/js/app.js on the site,
 * with the time as well; static/js/jalali-fields.js (the widgets' media) keeps the digits Persian. */
(function () {
  "use strict";

  function init() {
    if (!window.jalaliDatepicker || !document.querySelector("[data-jdp]")) {
      return;
    }
    window.jalaliDatepicker.startWatch({
      persianDigits: true,
      autoReadOnlyInput: false,
      time: true,
      hasSecond: false,
      zIndex: 2000
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
