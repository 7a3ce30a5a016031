/* Article 6 increase request form: show the VAT on the requested amount while it is typed.
 *
 * The form carries data-limits-vat-form and data-vat-url (GET /limits/api/vat/?year=&amount=); the amount input has
 * data-limits-vat-amount; the period <select> values are "<year>-<quarter>". The server computes the VAT (integer
 * arithmetic, truncated to whole rials), so this script never does money arithmetic itself. No inline script (CSP). */
(function () {
  "use strict";

  function formatNumber(value, lang) {
    try {
      return new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en-US", { useGrouping: true }).format(BigInt(value));
    } catch (e) {
      return String(value);
    }
  }

  function formatRate(rate, lang) {
    // "0.1" → "10", "0.09" → "9" (percent), shown with the page's digits.
    var parts = String(rate).split(".");
    var whole = parts[0] || "0";
    var fraction = (parts[1] || "") + "00";
    var percent = (whole + fraction.slice(0, 2)).replace(/^0+(?=\d)/, "");
    var rest = fraction.slice(2).replace(/0+$/, "");
    var text = rest ? percent + "." + rest : percent;
    if (lang === "fa") {
      text = text.replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹".charAt(Number(d)); }).replace(".", "٫");
    }
    return text + (lang === "fa" ? "٪" : "%");
  }

  function init(form) {
    var amount = form.querySelector("[data-limits-vat-amount]");
    var period = form.querySelector("select[name='period']");
    var output = form.querySelector("[data-limits-vat-output]");
    var url = form.getAttribute("data-vat-url");
    if (!amount || !period || !output || !url || !window.fetch) {
      return;
    }
    var lang = (document.documentElement.lang || "fa").slice(0, 2);
    var timer = null;
    var latest = 0;

    function show(text) {
      output.textContent = text;
      output.hidden = !text;
    }

    function update() {
      var raw = amount.value.trim();
      var year = (period.value || "").split("-")[0];
      if (!raw || !year) {
        show("");
        return;
      }
      var ticket = ++latest;
      var query = "?year=" + encodeURIComponent(year) + "&amount=" + encodeURIComponent(raw);
      fetch(url + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (text) {
            // Amounts can pass 2^53: take the VAT's digits from the raw text, not from a JS Number.
            var exact = /"vat":\s*(\d+)/.exec(text);
            var body = JSON.parse(text);
            if (exact) {
              body.vat = exact[1];
            }
            return { ok: response.ok, body: body };
          });
        })
        .then(function (result) {
          if (ticket !== latest) {
            return; // an older answer arriving late
          }
          if (result.ok) {
            show(
              output.getAttribute("data-label-vat") + " (" + output.getAttribute("data-label-rate") + " " +
              formatRate(result.body.rate, lang) + "): " + formatNumber(result.body.vat, lang) + " " +
              output.getAttribute("data-label-rials")
            );
          } else {
            var errors = (result.body && result.body.errors) || {};
            var first = (errors.amount || errors.year || [output.getAttribute("data-label-error")])[0];
            show(first);
          }
        })
        .catch(function () {
          show("");
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 250);
    }

    amount.addEventListener("input", schedule);
    period.addEventListener("change", schedule);
    if (amount.value) {
      update();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-limits-vat-form]").forEach(init);
  });
})();
