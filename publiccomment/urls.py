from .views import public

app_name = "publiccomment"

# Each area keeps its views and routes in its own module of views/ (as subsidies/urls.py).
urlpatterns = [
    *public.urlpatterns,
]
