"""A Micropub client that signs in through carnet's own IndieAuth, with the standard library.

    client.py login PORT EMAIL PASSWORD SCOPE
        logs into the admin with its form, asks the authorization endpoint (PKCE S256) for
        SCOPE, approves, catches the redirect's code, checks that a wrong verifier burns the
        code, signs in again, exchanges the code, checks that it cannot be used twice, and
        prints the access token.
    client.py walk PORT TOKEN
        every Micropub case: create form-encoded, JSON and multipart (with a PNG and its alt
        text), with categories and a photo URL, a draft, updates (replace, add, delete of a
        property and of a value), delete and undelete, each query, the media endpoint, and
        the errors; checks the public pages after each change.
    client.py refuse CASE PORT TOKEN
        one request that must be refused (no-token, bad-token, scope, invalid, role,
        revoked); the caller checks that the database did not change.
    client.py revoke PORT TOKEN
        revokes the token at the revocation endpoint.

Exits non-zero, saying why, when anything is not as the specifications say.
"""

import base64
import hashlib
import html
import http.client
import json
import os
import re
import secrets
import sys
import urllib.parse
import uuid

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from images import png  # noqa: E402

CLIENT = "http://app.test:9/"
REDIRECT = "http://app.test:9/callback"


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Site:
    def __init__(self, port):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = {}

    def request(self, method, target, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, str):
            body = body.encode("utf-8")
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if val:
                    self.cookies[key] = val
                else:
                    self.cookies.pop(key, None)
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def page(self, path):
        status, _, data = self.request("GET", path)
        return status, data.decode("utf-8", "replace")

    def form(self, path, fields, headers=None):
        headers = dict(headers or {})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request("POST", path, urllib.parse.urlencode(fields, doseq=True), headers)


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    out = b""
    for name, value in fields:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode("utf-8")
    for name, filename, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: image/png\r\n\r\n").encode("utf-8")
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode("utf-8")
    return out, f"multipart/form-data; boundary={boundary}"


# --- IndieAuth.

def discover(site):
    status, home = site.page("/")
    check(status == 200, f"home page answered {status}")
    links = dict((rel, href) for rel, href in
                 re.findall(r'<link rel="([^"]+)" href="([^"]+)"', home))
    for rel in ("micropub", "indieauth-metadata", "authorization_endpoint", "token_endpoint"):
        check(rel in links, f"the home page has no rel={rel} link")
    status, _, data = site.request("GET", links["indieauth-metadata"])
    check(status == 200, f"metadata answered {status}")
    metadata = json.loads(data)
    check(metadata["issuer"] == site.base + "/", f"issuer {metadata['issuer']}")
    check(metadata["code_challenge_methods_supported"] == ["S256"], "S256 only")
    for scope in ("create", "update", "delete", "media"):
        check(scope in metadata["scopes_supported"], f"scope {scope} not offered")
    check(metadata["authorization_endpoint"] == site.base + links["authorization_endpoint"],
          "the metadata and the page disagree on the authorization endpoint")
    return metadata


def log_in(site, email, password, next_path):
    status, headers, _ = site.request("GET", next_path)
    check(status == 303 and headers["location"].startswith("/admin/login?next="),
          f"the approval page without a session answered {status} {headers.get('location')}")
    status, page = site.page(headers["location"])
    check(status == 200, f"login page answered {status}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    following = html.unescape(re.search(r'name="next" value="([^"]*)"', page).group(1))
    check(following == next_path, f"the login form goes on to {following}, not {next_path}")
    status, headers, _ = site.form("/admin/login", {"email": email, "password": password,
                                                     "csrf": csrf, "next": following})
    check(status == 303 and "carnet_session" in site.cookies, f"login answered {status}")
    check(headers["location"] == next_path, f"login went on to {headers['location']}")


def authorize(site, metadata, email, password, scope, decision="approve", keep=None):
    """Runs the authorization request to its redirect; returns (query, verifier)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_hex(8)
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT,
        "state": state, "code_challenge": challenge, "code_challenge_method": "S256",
        "scope": scope, "me": site.base + "/"})
    endpoint = urllib.parse.urlparse(metadata["authorization_endpoint"]).path
    status, headers, _ = site.request("GET", f"{endpoint}?{query}")
    check(status == 303, f"the authorization endpoint answered {status}")
    approval = headers["location"]
    if "carnet_session" not in site.cookies:
        log_in(site, email, password, approval)
    status, page = site.page(approval)
    check(status == 200, f"the approval page answered {status}")
    check(html.escape(CLIENT) in page and html.escape(REDIRECT) in page,
          "the approval page does not name the client and its redirect")
    asked = re.findall(r'name="scope" value="([^"]+)"', page)
    check(asked == scope.split(), f"the page offers {asked} for {scope}")
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields = {k: html.unescape(v) for k, v in fields.items()}
    fields["asked"] = asked
    fields["scope"] = keep if keep is not None else asked
    fields["decision"] = decision
    status, headers, _ = site.form(urllib.parse.urlparse(approval).path, fields)
    check(status == 303, f"the decision answered {status}")
    location = urllib.parse.urlparse(headers["location"])
    check(f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT,
          f"the decision went to {headers['location']}")
    answer = dict(urllib.parse.parse_qsl(location.query))
    check(answer.get("state") == state, "the state did not come back")
    check(answer.get("iss") == metadata["issuer"], f"iss is {answer.get('iss')}")
    return answer, verifier


def exchange(site, metadata, code, verifier):
    endpoint = urllib.parse.urlparse(metadata["token_endpoint"]).path
    status, _, data = site.form(endpoint, {
        "grant_type": "authorization_code", "code": code, "client_id": CLIENT,
        "redirect_uri": REDIRECT, "code_verifier": verifier})
    return status, json.loads(data)


def login(port, email, password, scope):
    site = Site(port)
    metadata = discover(site)
    # Plain PKCE and a redirect elsewhere are refused before any sign-in.
    endpoint = urllib.parse.urlparse(metadata["authorization_endpoint"]).path
    for bad in ({"code_challenge_method": "plain"}, {"redirect_uri": "http://evil.test/back"},
                {"code_challenge": ""}):
        fields = {"response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT,
                  "state": "s", "code_challenge": "x" * 43, "code_challenge_method": "S256"}
        fields.update(bad)
        status, headers, _ = site.request("GET", endpoint + "?" + urllib.parse.urlencode(fields))
        check(status == 400 and "location" not in headers, f"{bad} answered {status}")

    # Refused by the user: the client hears access_denied.
    answer, _ = authorize(site, metadata, email, password, scope, decision="deny")
    check(answer.get("error") == "access_denied" and "code" not in answer, f"deny: {answer}")

    # A wrong verifier is refused, and burns the code.
    answer, verifier = authorize(site, metadata, email, password, scope)
    status, body = exchange(site, metadata, answer["code"], "w" * 50)
    check(status == 400 and body["error"] == "invalid_grant", f"wrong verifier: {status} {body}")
    status, body = exchange(site, metadata, answer["code"], verifier)
    check(status == 400 and body["error"] == "invalid_grant", f"burnt code: {status} {body}")

    answer, verifier = authorize(site, metadata, email, password, scope)
    status, body = exchange(site, metadata, answer["code"], verifier)
    check(status == 200, f"the token endpoint answered {status} {body}")
    check(body["token_type"] == "Bearer" and body["scope"] == scope, f"token: {body}")
    check(body["me"] == site.base + "/", f"me is {body['me']}")
    # The code served once.
    status, again = exchange(site, metadata, answer["code"], verifier)
    check(status == 400 and again["error"] == "invalid_grant", f"reused code: {status} {again}")
    print(body["access_token"])


def revoke(port, token):
    site = Site(port)
    status, _, _ = site.form("/indieauth/revoke", {"token": token})
    check(status == 200, f"revocation answered {status}")
    print("revoked")


# --- Micropub.

class Client:
    def __init__(self, port, token):
        self.site = Site(port)
        self.token = token
        self.auth = {"Authorization": f"Bearer {token}"}

    def form(self, fields, path="/micropub"):
        return self.site.form(path, fields, self.auth)

    def json(self, payload):
        headers = dict(self.auth)
        headers["Content-Type"] = "application/json"
        return self.site.request("POST", "/micropub", json.dumps(payload), headers)

    def query(self, params):
        return self.site.request("GET", "/micropub?" + urllib.parse.urlencode(params, doseq=True),
                                 headers=self.auth)

    def created(self, answer, what):
        status, headers, data = answer
        check(status == 201, f"{what}: {status} {data[:300]}")
        location = headers["location"]
        check(location.startswith(self.site.base + "/"), f"{what}: Location {location}")
        return location

    def public(self, url):
        return self.site.page(urllib.parse.urlparse(url).path)


def main_of(page):
    """The page's own content, without the sidebar's list of recent posts."""
    found = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    return found.group(1) if found else ""


def expect_error(answer, status, error, what):
    got, _, data = answer
    check(got == status, f"{what}: {got} instead of {status}: {data[:300]}")
    body = json.loads(data)
    check(body.get("error") == error and body.get("error_description"),
          f"{what}: {body}")


def walk(port, token):
    c = Client(port, token)
    site = c.site

    # Queries.
    status, _, data = c.query({"q": "config"})
    check(status == 200, f"q=config answered {status}")
    config = json.loads(data)
    check(config["media-endpoint"] == site.base + "/micropub/media", f"config {config}")
    check(config["syndicate-to"] == [], "syndicate-to in config")
    status, _, data = c.query({"q": "syndicate-to"})
    check(status == 200 and json.loads(data) == {"syndicate-to": []}, f"syndicate-to {data}")

    # Form-encoded, with categories.
    note = c.created(c.form({"h": "entry", "name": "Depuis Micropub",
                             "content": "Bonjour <le monde> & au revoir",
                             "category[]": ["voyage", "libye"], "mp-slug": "depuis-micropub"}),
                     "form create")
    check(note.endswith("/depuis-micropub.html"), f"the slug was not kept: {note}")
    status, page = c.public(note)
    check(status == 200 and "Depuis Micropub" in page, f"the new post's page: {status}")
    check("Bonjour &lt;le monde&gt; &amp; au revoir" in page, "text content is not escaped")
    status, home = site.page("/")
    check("Depuis Micropub" in main_of(home), "the home page does not show the new post")
    for slug in ("voyage", "libye"):
        status, listing = site.page(f"/list/{slug}/")
        check(status == 200 and "Depuis Micropub" in main_of(listing),
              f"category {slug}: {status}")

    # JSON, HTML content, a photo URL with alt text, a date.
    article = c.created(c.json({"type": ["h-entry"], "properties": {
        "name": ["Un article"], "content": [{"html": "<p>Du <strong>gras</strong></p>"}],
        "published": ["2024-03-01T10:00:00+01:00"],
        "photo": [{"value": "https://images.example/lune.jpg", "alt": "La lune"}]}}),
        "JSON create")
    check("/archive/2024/03/01/" in article, f"published date not kept: {article}")
    status, page = c.public(article)
    check(status == 200 and "<strong>gras</strong>" in page, "HTML content not shown")
    check('src="https://images.example/lune.jpg"' in page and 'alt="La lune"' in page,
          "the photo URL is not shown with its alt text")

    # A note without a name, as JSON with content as a string.
    bare = c.created(c.json({"type": ["h-entry"], "properties": {"content": ["Juste une note"]}}),
                     "JSON note")
    status, page = c.public(bare)
    check(status == 200 and "Juste une note" in page, "the note's page")

    # Multipart with a photo file and its alt text.
    body, content_type = multipart([("h", "entry"), ("name", "Avec photo"),
                                    ("mp-photo-alt", "Un carré bleu")],
                                   [("photo", "carre.png", png(40, 30))])
    headers = dict(c.auth)
    headers["Content-Type"] = content_type
    photo_post = c.created(site.request("POST", "/micropub", body, headers), "multipart create")
    status, page = c.public(photo_post)
    image = re.search(r'<img[^>]*src="(/media/[^"]+)"[^>]*>', page)
    check(status == 200 and image, "the uploaded photo is not in the post")
    check('alt="Un carré bleu"' in image.group(0), f"the photo's alt: {image.group(0)}")
    status, _, data = site.request("GET", image.group(1))
    check(status == 200 and data.startswith(b"\x89PNG"), f"the photo answered {status}")

    # A draft: its Location is its preview in the admin, and readers do not see it.
    draft = c.created(c.form({"h": "entry", "name": "Brouillon secret", "content": "Pas encore",
                              "post-status": "draft"}), "draft create")
    check("/admin/blogs/" in draft, f"a draft's Location: {draft}")
    status, home = site.page("/")
    check("Brouillon secret" not in home, "the draft is on the home page")
    status, _, data = c.query({"q": "source", "url": draft})
    check(status == 200 and json.loads(data)["properties"]["post-status"] == ["draft"],
          f"the draft's source: {data[:200]}")

    # q=source, whole and by properties.
    status, _, data = c.query({"q": "source", "url": note})
    check(status == 200, f"q=source answered {status}")
    source = json.loads(data)
    check(source["type"] == ["h-entry"], f"source type {source}")
    check(source["properties"]["name"] == ["Depuis Micropub"], f"source {source}")
    check(source["properties"]["category"] == ["voyage", "libye"], f"source {source}")
    status, _, data = c.query({"q": "source", "url": note, "properties[]": ["name", "category"]})
    some = json.loads(data)
    check(status == 200 and set(some["properties"]) == {"name", "category"} and
          "type" not in some, f"source with properties: {some}")

    # Updates: replace, add, delete a value, delete a property.
    status, _, data = c.json({"action": "update", "url": note,
                              "replace": {"content": ["Contenu remplacé"]}})
    check(status in (200, 204), f"replace answered {status} {data}")
    status, page = c.public(note)
    check("Contenu remplacé" in page and "au revoir" not in page, "replace not shown")
    status, _, data = c.json({"action": "update", "url": note,
                              "add": {"category": ["nouvelle"]}})
    check(status in (200, 204), f"add answered {status} {data}")
    status, listing = site.page("/list/nouvelle/")
    check(status == 200 and "Depuis Micropub" in main_of(listing), "added category not shown")
    status, _, data = c.json({"action": "update", "url": note,
                              "delete": {"category": ["voyage"]}})
    check(status in (200, 204), f"delete value answered {status} {data}")
    status, _, data = c.query({"q": "source", "url": note, "properties[]": "category"})
    check(json.loads(data)["properties"]["category"] == ["libye", "nouvelle"],
          f"after deleting a value: {data}")
    status, _, data = c.json({"action": "update", "url": note, "delete": ["category"]})
    check(status in (200, 204), f"delete property answered {status} {data}")
    status, _, data = c.query({"q": "source", "url": note, "properties[]": "category"})
    check(json.loads(data)["properties"]["category"] == [], f"after deleting category: {data}")
    status, listing = site.page("/list/libye/")
    check("Depuis Micropub" not in main_of(listing),
          "the post still shows under a deleted category")

    # Delete and undelete, JSON and form-encoded.
    status, _, _ = c.json({"action": "delete", "url": article})
    check(status in (200, 204), f"delete answered {status}")
    status, _ = c.public(article)
    check(status in (404, 410), f"a deleted post answered {status}")
    status, _, _ = c.json({"action": "undelete", "url": article})
    check(status in (200, 204), f"undelete answered {status}")
    status, page = c.public(article)
    check(status == 200 and "Un article" in page, f"an undeleted post answered {status}")
    status, _, _ = c.form({"action": "delete", "url": bare})
    check(status in (200, 204), f"form delete answered {status}")
    status, _ = c.public(bare)
    check(status in (404, 410), f"a deleted note answered {status}")
    status, _, _ = c.form({"action": "undelete", "url": bare})
    status, _ = c.public(bare)
    check(status == 200, f"a form-undeleted note answered {status}")

    # The media endpoint.
    body, content_type = multipart([], [("file", "point.png", png(8, 8))])
    headers = dict(c.auth)
    headers["Content-Type"] = content_type
    stored = c.created(site.request("POST", "/micropub/media", body, headers), "media upload")
    status, _, data = site.request("GET", urllib.parse.urlparse(stored).path)
    check(status == 200 and data.startswith(b"\x89PNG"), f"the stored image answered {status}")
    # A post may then name it by URL.
    shown = c.created(c.json({"type": ["h-entry"], "properties": {
        "name": ["Photo envoyée avant"], "photo": [stored]}}), "create with media URL")
    status, page = c.public(shown)
    check(urllib.parse.urlparse(stored).path in page, "the uploaded image is not in the post")

    # The token in the body works too; both at once is refused.
    status, _, _ = site.form("/micropub", {"h": "entry", "name": "Jeton dans le corps",
                                           "access_token": token})
    check(status == 201, f"a token in the body: {status}")
    expect_error(c.form({"h": "entry", "name": "Deux jetons", "access_token": token}),
                 400, "invalid_request", "two tokens")

    # Errors.
    expect_error(site.form("/micropub", {"h": "entry", "name": "Sans jeton"}), 401,
                 "unauthorized", "no token")
    expect_error(site.form("/micropub", {"h": "entry", "name": "Mauvais jeton"},
                           {"Authorization": "Bearer nope"}), 401, "unauthorized", "bad token")
    expect_error(c.form({"h": "card", "name": "Une carte"}), 400, "invalid_request", "h=card")
    expect_error(c.json({"action": "update", "url": site.base + "/archive/1999/01/01/rien.html",
                         "replace": {"name": ["x"]}}), 400, "invalid_request", "unknown post")
    expect_error(c.json({"type": ["h-entry"], "properties": {"published": ["hier"]}}),
                 400, "invalid_request", "bad date")
    expect_error(site.request("POST", "/micropub", "{not json",
                              dict(c.auth, **{"Content-Type": "application/json"})),
                 400, "invalid_request", "broken JSON")
    expect_error(c.query({"q": "nothing"}), 400, "invalid_request", "unknown query")
    print("walked")


def refuse(case, port, token):
    c = Client(port, token)
    create = {"h": "entry", "name": "Refusé", "content": "ne doit pas paraître"}
    if case == "no-token":
        expect_error(c.site.form("/micropub", create), 401, "unauthorized", case)
    elif case in ("bad-token", "revoked"):
        expect_error(c.form(create), 401, "unauthorized", case)
        expect_error(c.query({"q": "config"}), 401, "unauthorized", case)
    elif case == "scope":
        # A token granted only "update" may not create, delete or upload.
        expect_error(c.form(create), 403, "insufficient_scope", case)
        body, content_type = multipart([], [("file", "p.png", png(4, 4))])
        expect_error(c.site.request("POST", "/micropub/media", body,
                                    dict(c.auth, **{"Content-Type": content_type})),
                     403, "insufficient_scope", case + " media")
    elif case == "invalid":
        expect_error(c.json({"type": ["h-entry"], "properties": {"post-status": ["maybe"]}}),
                     400, "invalid_request", case)
    elif case == "role":
        expect_error(c.form(create), 403, "forbidden", case)
    else:
        fail(f"no case {case}")
    status, home = c.site.page("/")
    check("Refusé" not in home, "a refused post is on the home page")
    print("refused")


def main(args):
    if len(args) == 5 and args[0] == "login":
        login(args[1], args[2], args[3], args[4])
    elif len(args) == 3 and args[0] == "walk":
        walk(args[1], args[2])
    elif len(args) == 4 and args[0] == "refuse":
        refuse(args[1], args[2], args[3])
    elif len(args) == 3 and args[0] == "revoke":
        revoke(args[1], args[2])
    else:
        fail("usage: see the docstring")


if __name__ == "__main__":
    main(sys.argv[1:])
