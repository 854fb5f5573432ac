"""The subsidy's pages, by area (each module keeps its views and routes, joined in urls.py):
public - programme pages, adopted projects and open data, 報告会;
applications - the application (draft → 確認 → 申請), documents, withdraw, resubmit;
followup - after the decision: notices to print, 変更承認, 実績報告;
printing - 受付票 (application, change request, 実績報告) and the 変更承認通知書;
review - the reviewer's page: assigned applications and scores;
consultations - booking a 事前相談;
endings - the group asks to stop its project (中止・廃止)."""
