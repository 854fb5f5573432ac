from . import applications, followup, public, review

app_name = "subsidies"

# Each area keeps its views and routes in its own module (as in partners/):
# public.py - programme pages, adopted projects and open data, 報告会;
# applications.py - 事前相談, the application (draft → 確認 → 申請), documents, withdraw, resubmit;
# followup.py - after the decision: notices to print, 変更承認, 実績報告;
# review.py - the reviewer's page: assigned applications and scores.
urlpatterns = (
    public.urlpatterns + applications.urlpatterns + followup.urlpatterns + review.urlpatterns
)
