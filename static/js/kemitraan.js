// Kemitraan: htmx sends the CSRF token with every request it makes.
document.body.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("[name=csrfmiddlewaretoken]");
  if (token) {
    event.detail.headers["X-CSRFToken"] = token.value;
  }
});

// A refused form (422) comes back with its messages next to the fields: swap it in too.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "422", swap: true },
  { code: "[45]..", swap: false, error: true },
  { code: "...", swap: false },
];

// MoU form: "Add participant" / "Add witness" clone the formset's empty form
// (<template id="PREFIX-empty">) into <tbody id="PREFIX-rows"> and count it in TOTAL_FORMS.
// The buttons stay hidden without JavaScript (the page then offers empty rows).
document.querySelectorAll(".js-only[hidden]").forEach(function (element) {
  element.hidden = false;
});

document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-formset-add]");
  if (!button) {
    return;
  }
  var prefix = button.dataset.formsetAdd;
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var template = document.getElementById(prefix + "-empty");
  var rows = document.getElementById(prefix + "-rows");
  if (!total || !template || !rows) {
    return;
  }
  var index = parseInt(total.value, 10) || 0;
  var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  if (max && index >= parseInt(max.value, 10)) {
    return;
  }
  rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
  total.value = String(index + 1);
  var row = rows.lastElementChild;
  if (window.htmx) {
    htmx.process(row);
  }
  var first = row.querySelector("input[type=text], textarea");
  if (first) {
    first.focus();
  }
});

// MoU form: the IKM picker. Typing 3+ letters of a name or a 13-digit NIB asks the server
// (htmx) for up to 10 IKM the user may see; picking one sets the row's hidden IKM id and
// shows "NIB — name". Typing again clears the id (the typed text is then resolved on save).
var ikmSearchTimer = null;

function ikmPickerParts(element) {
  var cell = element.closest(".ikm-picker");
  if (!cell) {
    return null;
  }
  return {
    input: cell.querySelector("input[data-ikm-search]"),
    hidden: cell.querySelector("input[type=hidden][name$='-ikm_id']"),
    results: cell.querySelector(".ikm-picker-results"),
  };
}

document.addEventListener("input", function (event) {
  var input = event.target.closest && event.target.closest("input[data-ikm-search]");
  if (!input) {
    return;
  }
  var parts = ikmPickerParts(input);
  if (!parts) {
    return;
  }
  if (parts.hidden) {
    parts.hidden.value = "";
  }
  clearTimeout(ikmSearchTimer);
  var query = input.value.trim();
  if (query.length < 3) {
    parts.results.innerHTML = "";
    return;
  }
  ikmSearchTimer = setTimeout(function () {
    var url = input.dataset.ikmSearch;
    url += (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
    htmx.ajax("GET", url, { target: parts.results, swap: "innerHTML" });
  }, 300);
});

document.addEventListener("click", function (event) {
  var choice = event.target.closest("[data-ikm-choice]");
  if (!choice) {
    return;
  }
  event.preventDefault();
  var parts = ikmPickerParts(choice);
  if (!parts) {
    return;
  }
  if (parts.hidden) {
    parts.hidden.value = choice.dataset.ikmId;
  }
  parts.input.value = choice.dataset.ikmLabel;
  parts.input.classList.remove("is-invalid");
  parts.results.innerHTML = "";
  parts.input.focus();
});

// A "Print" button (data-print-page): no inline onclick, the Content-Security-Policy allows
// only script files.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print-page]")) {
    window.print();
  }
});
