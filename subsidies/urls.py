from .views import applications, consultations, endings, followup, printing, public, review

app_name = "subsidies"

# Each area keeps its views and routes in its own module of views/ (see views/__init__.py).
urlpatterns = (
    public.urlpatterns
    + applications.urlpatterns
    + consultations.urlpatterns
    + followup.urlpatterns
    + printing.urlpatterns
    + endings.urlpatterns
    + review.urlpatterns
)
