/* The Persian admin's script (templates/admin/base_site.html loads it on Persian pages only).
 *
 * - The Jalali date picker: helpdesk/admin_site.py gives the date inputs data-jdp data-jdp-only-date and the
 *   date-and-time inputs data-jdp. Like static/js/app.js on the site, with the time as well;
 *   static/js/jalali-fields.js (the widgets' media) keeps the digits in the fields Persian.
 * - Persian digits in what Django's own scripts write: the changelist's «۲ از ۳۰ انتخاب شده‌اند» counter
 *   (the server writes every other digit of the page in Persian). */
(function () {
  "use strict";
  var PERSIAN = "۰۱۲۳۴۵۶۷۸۹";

  function persianDigits(element) {
    var text = element.textContent.replace(/[0-9]/g, function (digit) {
      return PERSIAN.charAt(Number(digit));
    });
    if (text !== element.textContent) {
      element.textContent = text;
    }
  }

  function initCounters() {
    document.querySelectorAll(".action-counter").forEach(function (counter) {
      persianDigits(counter);
      new MutationObserver(function () {
        persianDigits(counter);
      }).observe(counter, { childList: true, characterData: true, subtree: true });
    });
  }

  function initDatePicker() {
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

  function init() {
    initCounters();
    initDatePicker();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
