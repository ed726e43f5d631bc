from django.contrib.auth.mixins import UserPassesTestMixin
from django.views.generic import TemplateView

from .selectors import program_figures


class OverviewView(UserPassesTestMixin, TemplateView):
    """KADIN's landing: the program's headline figures (live until snapshots arrive).

    Program-wide figures are for Kemenperin and KADIN; buyer and lender officers get
    their own organisation's slice with the dashboard release.
    """

    template_name = "dasbor/overview.html"

    def test_func(self):
        return self.request.user.sees_everything

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = program_figures(self.request.user)
        return context
