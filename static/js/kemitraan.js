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
