/* Site shell behaviour. Loaded with `defer` on every page; no inline scripts anywhere (CSP). */
(function () {
  "use strict";

  var BANNER_PREFIX = "helpdesk:banner-dismissed:";

  function storageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null; // storage disabled (private mode, policy): the banner simply shows again
    }
  }

  function storageSet(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* ignore */
    }
  }

  /* Public-message banners: once dismissed, stay hidden until their text (and so their key) changes. */
  function initBanners() {
    var banners = document.querySelectorAll("[data-banner-key]");
    banners.forEach(function (banner) {
      var key = BANNER_PREFIX + banner.getAttribute("data-banner-key");
      if (storageGet(key)) {
        banner.remove();
        return;
      }
      banner.hidden = false;
      banner.addEventListener("click", function (event) {
        if (event.target.closest("[data-bs-dismiss='alert'], .btn-close")) {
          storageSet(key, "1");
          if (!window.bootstrap) {
            banner.remove(); // Bootstrap's JS missing: dismiss by hand
          }
        }
      });
    });
  }

  /* Jalali date picker on every <input data-jdp>: date and time (hours:minutes, as helpdesk.forms.JalaliDateTimeField
   * reads it), or the date alone on inputs that also carry data-jdp-only-date (helpdesk.forms.JalaliDateField). */
  function initDatePicker() {
    if (!window.jalaliDatepicker || !document.querySelector("[data-jdp]")) {
      return;
    }
    var persian = (document.documentElement.lang || "fa").indexOf("fa") === 0;
    window.jalaliDatepicker.startWatch({
      persianDigits: persian,
      autoReadOnlyInput: false,
      time: true,
      hasSecond: false,
      zIndex: 2000
    });
  }

  function init() {
    initBanners();
    initDatePicker();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
