"""Indonesian by default, English on request.

Django's LocaleMiddleware would follow the browser's Accept-Language header, so an
officer whose browser happens to be set to English would get English pages. The
platform speaks Indonesian unless the user chooses English with the language switch
(which sets the language cookie), so the header is dropped before LocaleMiddleware.
"""


class IgnoreAcceptLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
