app_name = "limits"

urlpatterns: list = []
