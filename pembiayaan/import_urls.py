"""The akad spreadsheet import's screens (included by ``pembiayaan.urls``)."""

urlpatterns = []
