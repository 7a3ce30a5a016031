/* Ticket pages: small enhancements on top of forms that work without JavaScript. No inline scripts (CSP). */
(function () {
  "use strict";

  /* New ticket (customer): the chosen type's description template fills an empty (or untouched) text box,
     and a hint says when the type needs an attached file. Data comes from a json_script element. */
  function initTypeTemplates() {
    var data = document.getElementById("ticket-type-templates");
    var select = document.getElementById("id_type");
    var body = document.getElementById("id_body");
    if (!data || !select || !body) {
      return;
    }
    var templates = {};
    try {
      templates = JSON.parse(data.textContent) || {};
    } catch (e) {
      return;
    }
    var hint = document.getElementById("type-attachment-hint");
    var lastTemplate = "";
    function apply() {
      var entry = templates[select.value] || { template: "", attachment_required: false };
      var current = body.value.trim();
      if (!current || current === lastTemplate.trim()) {
        body.value = entry.template || "";
      }
      lastTemplate = entry.template || "";
      if (hint) {
        hint.hidden = !entry.attachment_required;
      }
    }
    var initial = templates[select.value];
    if (initial) {
      lastTemplate = initial.template || "";
      if (hint) {
        hint.hidden = !initial.attachment_required;
      }
    }
    select.addEventListener("change", apply);
  }

  /* B7 presence: the reply box having text means "writing"; tell the server at once (the poll repeats it). */
  function initPresence() {
    var state = document.getElementById("presence-state");
    if (!state) {
      return;
    }
    document.addEventListener("input", function (event) {
      if (!event.target.matches || !event.target.matches("[data-tk-reply-box]")) {
        return;
      }
      var next = event.target.value.trim() ? "writing" : "viewing";
      if (state.value !== next) {
        state.value = next;
        document.body.dispatchEvent(new CustomEvent("tk-presence"));
      }
    });
  }

  /* Canned response inserted through htmx: back to the reply box, caret after the inserted text. */
  function initCannedSwap() {
    document.body.addEventListener("htmx:afterSettle", function (event) {
      var detail = event.detail || {};
      var trigger = (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
      if (!trigger || !trigger.matches || !trigger.matches("[data-tk-canned]")) {
        return;
      }
      var box = document.querySelector("#reply-body [data-tk-reply-box]");
      if (!box) {
        return;
      }
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
      box.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  /* Queue: one checkbox selects every ticket on the page. */
  function initSelectAll() {
    document.addEventListener("change", function (event) {
      if (!event.target.matches || !event.target.matches("[data-tk-select-all]")) {
        return;
      }
      var form = event.target.closest("form");
      if (!form) {
        return;
      }
      form.querySelectorAll("input[type=checkbox][name=tickets]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    });
  }

  /* Staff "new ticket": the customer picker only matters for a customer's ticket. */
  function initKind() {
    var pick = document.querySelector("[data-tk-kind=customer]");
    var radios = document.querySelectorAll("input[name=kind]");
    if (!pick || !radios.length) {
      return;
    }
    function update() {
      var checked = document.querySelector("input[name=kind]:checked");
      pick.hidden = checked && checked.value === "internal";
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  function init() {
    initTypeTemplates();
    initPresence();
    initSelectAll();
    initKind();
    initCannedSwap();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
