"""What MarsEdit does with a blog, through Python's own XML-RPC client (xmlrpc.client).

    marsedit.py walk PORT EMAIL APP_PASSWORD
        discovers the endpoint from the home page's RSD link, lists blogs, categories and
        recent posts, uploads a PNG, publishes a post showing it, edits it, files it under
        two categories, schedules one, deletes one, and checks the public pages after each.
    marsedit.py post PORT EMAIL APP_PASSWORD BLOG TITLE
        publishes a post and prints its id.
    marsedit.py refuse CASE PORT ...
        one call that must be refused; prints the fault. The caller checks that the
        database did not change.

Exits non-zero, saying why, when anything is not as a client expects.
"""

import datetime
import http.client
import os
import re
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
import xmlrpc.client

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from images import png  # noqa: E402


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def discover(port):
    status, home = get(port, "/")
    check(status == 200, f"home page answered {status}")
    link = re.search(r'<link rel="EditURI" type="application/rsd\+xml"[^>]*href="([^"]+)"', home)
    check(link, "the home page has no EditURI link")
    status, rsd = get(port, link.group(1))
    check(status == 200, f"RSD answered {status}")
    ns = {"rsd": "http://archipelago.phrasewise.com/rsd"}
    apis = ET.fromstring(rsd).findall(".//rsd:api", ns)
    metaweblog = [api for api in apis if api.get("name") == "MetaWeblog"]
    check(metaweblog, "the RSD names no MetaWeblog API")
    return metaweblog[0].get("apiLink"), metaweblog[0].get("blogID")


def walk(port, email, password):
    endpoint, rsd_blog = discover(port)
    check(endpoint == f"http://127.0.0.1:{port}/xmlrpc", f"unexpected endpoint {endpoint}")
    server = xmlrpc.client.ServerProxy(endpoint)
    blogs = server.blogger.getUsersBlogs("", email, password)
    check(len(blogs) == 1 and blogs[0]["blogid"] == rsd_blog, f"blogs: {blogs}")
    blog = blogs[0]["blogid"]
    check("metaWeblog.newMediaObject" in server.mt.supportedMethods(), "no newMediaObject")
    check(server.metaWeblog.getCategories(blog, email, password) == [], "categories at start")
    check(server.metaWeblog.getRecentPosts(blog, email, password, 20) == [], "posts at start")

    # A draft filed under two categories makes them exist, and readers see neither.
    draft = server.metaWeblog.newPost(blog, email, password, {
        "title": "Brouillon de Syrte", "description": "<p>Pas encore.</p>",
        "categories": ["Libye", "Syrte"]}, False)
    status, home = get(port, "/")
    check("Brouillon de Syrte" not in home, "a draft shows on the home page")
    categories = server.mt.getCategoryList(blog, email, password)
    ids = {c["categoryName"]: c["categoryId"] for c in categories}
    check(set(ids) == {"Libye", "Syrte"}, f"categories: {categories}")

    image = png(64, 48)
    uploaded = server.metaWeblog.newMediaObject(blog, email, password, {
        "name": "carte.png", "type": "image/png", "bits": xmlrpc.client.Binary(image)})
    check(uploaded["url"].startswith(f"http://127.0.0.1:{port}/media/"), f"upload: {uploaded}")
    check(uploaded["type"] == "image/png", f"upload type: {uploaded}")

    post = server.metaWeblog.newPost(blog, email, password, {
        "title": "Attaque à Misrata",
        "description": f'<p>Le tribunal.</p><p><img src="{uploaded["url"]}" alt="Carte"></p>',
        "mt_keywords": "libye, misrata", "mt_allow_comments": 1}, True)
    got = server.metaWeblog.getPost(post, email, password)
    check(got["post_status"] == "publish", f"new post: {got}")
    path = got["link"].replace(f"http://127.0.0.1:{port}", "")
    status, page = get(port, path)
    check(status == 200 and "Attaque à Misrata" in page, f"post page {path}: {status}")
    check(re.search(r'<img [^>]*srcset="/media/[0-9a-f]{64}-', page), "the image lost its srcset")
    check('alt="Carte"' in page, "the image lost its alt text")
    status, _ = get(port, "/media/" + uploaded["file"].replace(".png", "-64.png"))
    check(status == 200, f"the image's full-size copy answered {status}")
    status, home = get(port, "/")
    check("Attaque à Misrata" in home, "the new post is not on the home page")

    check(server.metaWeblog.editPost(post, email, password, {
        "title": "Attaque contre le tribunal de Misrata",
        "description": got["description"], "mt_keywords": got["mt_keywords"]}, True) is True,
        "editPost")
    status, page = get(port, path)
    check("Attaque contre le tribunal de Misrata" in page, "the edit does not show")

    check(server.mt.setPostCategories(post, email, password, [
        {"categoryId": ids["Syrte"], "isPrimary": True}, {"categoryId": ids["Libye"]}]) is True,
        "setPostCategories")
    filed = server.mt.getPostCategories(post, email, password)
    check([c["categoryName"] for c in filed] == ["Syrte", "Libye"], f"categories: {filed}")
    for slug in ("syrte", "libye"):
        status, listing = get(port, f"/list/{slug}/")
        check(status == 200 and "Attaque contre le tribunal de Misrata" in listing,
              f"/list/{slug}/ answered {status} without the post")

    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
    scheduled = server.metaWeblog.newPost(blog, email, password, {
        "title": "Annonce pour après-demain", "description": "<p>Bientôt.</p>",
        "dateCreated": xmlrpc.client.DateTime(later.strftime("%Y%m%dT%H:%M:%S"))}, True)
    check(server.metaWeblog.getPost(scheduled, email, password)["post_status"] == "future",
          "a post dated later is not scheduled")
    status, home = get(port, "/")
    check("Annonce pour après-demain" not in home, "a scheduled post shows before its time")

    doomed = server.metaWeblog.newPost(blog, email, password, {
        "title": "Billet à effacer", "description": "<p>Erreur.</p>"}, True)
    doomed_path = server.metaWeblog.getPost(doomed, email, password)["link"].replace(
        f"http://127.0.0.1:{port}", "")
    check(get(port, doomed_path)[0] == 200, "the post to delete is not online")
    check(server.blogger.deletePost("", doomed, email, password, True) is True, "deletePost")
    check(get(port, doomed_path)[0] == 404, "a deleted post still answers")

    recent = server.metaWeblog.getRecentPosts(blog, email, password, 20)
    titles = {p["title"] for p in recent}
    check(titles == {"Brouillon de Syrte", "Attaque contre le tribunal de Misrata",
                     "Annonce pour après-demain"}, f"recent posts: {titles}")
    check(draft in {p["postid"] for p in recent}, "the draft is not listed")
    print("walked")


def expect_fault(call, code):
    try:
        call()
    except xmlrpc.client.Fault as fault:
        check(fault.faultCode == code, f"fault {fault.faultCode} ({fault.faultString}), not {code}")
        print("fault", fault.faultCode, fault.faultString)
        return
    fail("the call was not refused")


def raw_post(port, body, length=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.putrequest("POST", "/xmlrpc")
    connection.putheader("Content-Type", "text/xml")
    connection.putheader("Content-Length", str(length if length is not None else len(body)))
    connection.endheaders()
    try:
        connection.send(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer and close before taking it all
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def refuse(case, port, args):
    server = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc")
    post = {"title": "Intrus", "description": "<p>Non.</p>"}
    if case == "wrong-password":
        email, blog = args
        expect_fault(lambda: server.metaWeblog.newPost(blog, email, "0" * 48, post, True), 403)
    elif case == "login-password":
        email, login_password, blog = args
        expect_fault(lambda: server.metaWeblog.newPost(blog, email, login_password, post, True),
                     403)
    elif case == "other-blog":
        email, password, post_id = args
        expect_fault(lambda: server.metaWeblog.editPost(post_id, email, password, post, True), 404)
        expect_fault(lambda: server.blogger.deletePost("", post_id, email, password, True), 404)
    elif case == "author-edit":
        email, password, post_id = args
        expect_fault(lambda: server.metaWeblog.editPost(post_id, email, password, post, True), 401)
        expect_fault(lambda: server.blogger.deletePost("", post_id, email, password, True), 401)
    elif case == "billion-laughs":
        email, password, blog = args
        entities = "".join(
            f'<!ENTITY lol{i} "{"&lol%d;" % (i - 1) * 10}">' for i in range(1, 10))
        body = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">' + entities + "]>"
                "<methodCall><methodName>metaWeblog.newPost</methodName><params>"
                f"<param><value>{blog}</value></param><param><value>{email}</value></param>"
                f"<param><value>{password}</value></param><param><value><struct><member>"
                "<name>title</name><value>&lol9;</value></member></struct></value></param>"
                "<param><value><boolean>1</boolean></value></param></params></methodCall>")
        status, answer = raw_post(port, body.encode())
        check(status == 200 and "<fault>" in answer and "-32700" in answer,
              f"billion laughs answered {status}: {answer[:300]}")
        print("fault", answer)
    elif case == "oversized":
        size = 32 * 1024 * 1024 + 1024
        status, answer = raw_post(port, b" " * size)
        check(status == 413, f"an oversized body answered {status}")
        print("status", status)
    else:
        fail(f"no case {case}")


if __name__ == "__main__":
    if sys.argv[1] == "walk":
        walk(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "post":
        # post PORT EMAIL PASSWORD BLOG TITLE: publishes a post, prints its id.
        port, email, password, blog, title = sys.argv[2:7]
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc")
        print(proxy.metaWeblog.newPost(blog, email, password,
                                       {"title": title, "description": "<p>x</p>"}, True))
    elif sys.argv[1] == "refuse":
        refuse(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    else:
        fail("walk or refuse")
