// Admin, periodic task form (templates/admin/djcelery/change_periodictask_form.html): shows the
// chosen crontab in words under the field, as django-celery-beat's inline script does.
(function () {
  var script = document.currentScript;
  var originalHelp = script.dataset.crontabHelp || "";
  var source = document.getElementById("readable-crontabs");
  var readableCrontabs = source ? JSON.parse(source.textContent) : {};
  var $ = window.django && window.django.jQuery;
  if (!$) {
    return;
  }
  $(function () {
    $(".field-crontab_translation").hide();
    $(".field-crontab").change(function () {
      var help = $(".field-crontab .help").empty();
      help.append(document.createTextNode(originalHelp));
      help.append(document.createElement("br"));
      help.append(document.createTextNode("Translation: " + (readableCrontabs[$("#id_crontab").val()] || "")));
    });
  });
})();
