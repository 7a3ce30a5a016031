from django.http import HttpResponse
from django.shortcuts import render


def home(request):
    return render(request, "home.html")



def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return HttpResponse(status=500)
