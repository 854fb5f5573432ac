from .views import group, public

app_name = "entalk"

urlpatterns = public.urlpatterns + group.urlpatterns
