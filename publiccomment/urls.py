from .views import public, submit

app_name = "publiccomment"

# Each area keeps its views and routes in its own module of views/ (as subsidies/urls.py).
urlpatterns = [
    *public.urlpatterns,
    *submit.urlpatterns,
]
