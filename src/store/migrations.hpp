// The SQLite schema, as numbered migrations applied once each, in order, each in its own
// transaction. Never edit a migration that has shipped: add the next one.
#pragma once

#include <array>
#include <string_view>

namespace carnet::store {

struct Migration {
    int version;
    std::string_view sql;
    // What the migration makes again from every post, for the line said before it runs: on a
    // large blog it takes minutes, and a server that says nothing meanwhile looks hung. Empty
    // for the quick ones.
    std::string_view rebuilds = {};
};

// The count is deduced, so that adding a migration is only appending it.
inline constexpr auto k_sqlite_migrations = std::to_array<Migration>({
    {1, R"sql(
CREATE TABLE blogs (
    id                INTEGER PRIMARY KEY,
    title             TEXT NOT NULL,
    subtitle          TEXT NOT NULL DEFAULT '',
    locale            TEXT NOT NULL DEFAULT 'fr',
    time_zone         TEXT NOT NULL DEFAULT 'Europe/Paris',
    theme             TEXT NOT NULL DEFAULT 'classique',
    posts_per_page    INTEGER NOT NULL DEFAULT 10 CHECK (posts_per_page BETWEEN 1 AND 100),
    permalink_pattern TEXT NOT NULL DEFAULT '/archive/{yyyy}/{mm}/{dd}/{slug}.html',
    -- Bumped by every write transaction that touches the blog: the page cache's clock.
    generation        INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL
);

CREATE TABLE blog_hosts (
    host     TEXT PRIMARY KEY COLLATE NOCASE,
    blog_id  INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL
);
CREATE INDEX blog_hosts_by_blog ON blog_hosts(blog_id, position);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE memberships (
    blog_id INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'author', 'moderator')),
    PRIMARY KEY (blog_id, user_id)
);

CREATE TABLE posts (
    id              INTEGER PRIMARY KEY,
    blog_id         INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    author_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'trash')),
    title           TEXT NOT NULL,
    slug            TEXT NOT NULL,
    source_format   TEXT NOT NULL CHECK (source_format IN ('markdown', 'html')),
    source          TEXT NOT NULL,
    html            TEXT NOT NULL,
    excerpt         TEXT NOT NULL DEFAULT '',
    published_at    INTEGER NOT NULL,  -- seconds since 1970 UTC
    -- The same instant on the blog's wall clock, 'YYYY-MM-DD HH:MM:SS', so that archives by
    -- day and month in the blog's time zone are index range scans.
    published_local TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    comments_open   INTEGER NOT NULL DEFAULT 1,
    UNIQUE (blog_id, slug)
);
CREATE INDEX posts_by_time ON posts(blog_id, status, published_at DESC, id DESC);
CREATE INDEX posts_by_local_time ON posts(blog_id, status, published_local);

CREATE TABLE categories (
    id      INTEGER PRIMARY KEY,
    blog_id INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    slug    TEXT NOT NULL,
    UNIQUE (blog_id, slug)
);

CREATE TABLE post_categories (
    blog_id     INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (post_id, category_id)
);
CREATE INDEX post_categories_by_category ON post_categories(category_id, post_id);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY,
    blog_id      INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    post_id      INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments(id) ON DELETE SET NULL,
    author_name  TEXT NOT NULL,
    author_email TEXT NOT NULL DEFAULT '',
    author_url   TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL,
    html         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
    created_at   INTEGER NOT NULL,
    client_hash  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX comments_by_post ON comments(post_id, status, created_at);
CREATE INDEX comments_by_blog ON comments(blog_id, status, created_at DESC);

CREATE TABLE media (
    id           INTEGER PRIMARY KEY,
    blog_id      INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    width        INTEGER,
    height       INTEGER,
    stored_path  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (blog_id, content_hash)
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_secret TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
)sql"},
    {2, R"sql(
ALTER TABLE blogs ADD COLUMN base_url TEXT NOT NULL DEFAULT '';
)sql"},
    // Full-text search: one FTS5 table per language, because the tokenizer (and its stemmer)
    // belongs to the table. rowid is the post id; only published posts are indexed (the
    // store re-indexes a post whenever it changes). The tables keep their own copy of the
    // text, made from the post's HTML by carnet_search_text(), which snippet() needs; the
    // tokenizers and that function are registered by the store on every connection.
    {3, R"sql(
CREATE VIRTUAL TABLE post_search_fr USING fts5(title, body, tokenize = 'carnet_fr');
CREATE VIRTUAL TABLE post_search_en USING fts5(title, body, tokenize = 'carnet_en');
INSERT INTO post_search_fr (rowid, title, body)
    SELECT p.id, p.title, carnet_search_text(p.html) FROM posts p JOIN blogs b ON b.id = p.blog_id
    WHERE p.status = 'published' AND b.locale = 'fr';
INSERT INTO post_search_en (rowid, title, body)
    SELECT p.id, p.title, carnet_search_text(p.html) FROM posts p JOIN blogs b ON b.id = p.blog_id
    WHERE p.status = 'published' AND b.locale = 'en';
)sql"},
    // The web admin: who wrote a post, its saved revisions, the redirects a changed slug or
    // category leaves behind, static pages, uploaded media's variants, comment policies.
    {4, R"sql(
ALTER TABLE blogs ADD COLUMN comment_policy TEXT NOT NULL DEFAULT 'open'
    CHECK (comment_policy IN ('open', 'first_held', 'all_held', 'closed'));
ALTER TABLE blogs ADD COLUMN close_comments_after_days INTEGER NOT NULL DEFAULT 0
    CHECK (close_comments_after_days >= 0);

CREATE INDEX posts_by_author ON posts(blog_id, author_id);
-- Scheduled posts are found by the time they are due, across blogs.
CREATE INDEX posts_due ON posts(status, published_at) WHERE status = 'scheduled';

-- A snapshot of a post taken at every save in the admin (kind 'save') and the latest
-- autosave of each post (kind 'autosave', replaced each time).
CREATE TABLE post_revisions (
    id            INTEGER PRIMARY KEY,
    blog_id       INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    post_id       INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    author_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('save', 'autosave')),
    created_at    INTEGER NOT NULL,
    status        TEXT NOT NULL,
    title         TEXT NOT NULL,
    slug          TEXT NOT NULL,
    source        TEXT NOT NULL,
    excerpt       TEXT NOT NULL,
    published_at  INTEGER NOT NULL,
    comments_open INTEGER NOT NULL,
    categories    TEXT NOT NULL  -- the category names in order, one per line
);
CREATE INDEX post_revisions_by_post ON post_revisions(post_id, id DESC);

-- Old public paths of posts whose slug or date changed after publication: 301 to the post.
CREATE TABLE post_redirects (
    blog_id  INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    old_path TEXT NOT NULL,
    post_id  INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    PRIMARY KEY (blog_id, old_path)
);

-- Old slugs of renamed or merged categories: 301 to the category that took them.
CREATE TABLE category_redirects (
    blog_id     INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    old_slug    TEXT NOT NULL,
    category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    PRIMARY KEY (blog_id, old_slug)
);

CREATE TABLE pages (
    id         INTEGER PRIMARY KEY,
    blog_id    INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    published  INTEGER NOT NULL DEFAULT 0,
    title      TEXT NOT NULL,
    slug       TEXT NOT NULL,
    source     TEXT NOT NULL,
    html       TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    UNIQUE (blog_id, slug)
);

ALTER TABLE media ADD COLUMN original_name TEXT NOT NULL DEFAULT '';
-- The resized copies, "width height file_name" one per line, narrowest first.
ALTER TABLE media ADD COLUMN variants TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN uploaded_by INTEGER REFERENCES users(id) ON DELETE SET NULL;

CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
)sql"},
    // Search at scale: a `blog` column holding the post's blog id, so that when blogs of
    // one language share a table a search filters by blog inside the index instead of
    // reading every matching post. The tables are made again from the posts, then merged
    // into one b-tree each ('optimize'), smaller and faster to query.
    {5, R"sql(
DROP TABLE post_search_fr;
DROP TABLE post_search_en;
CREATE VIRTUAL TABLE post_search_fr USING fts5(title, body, blog, tokenize = 'carnet_fr');
CREATE VIRTUAL TABLE post_search_en USING fts5(title, body, blog, tokenize = 'carnet_en');
INSERT INTO post_search_fr (rowid, title, body, blog)
    SELECT p.id, p.title, carnet_search_text(p.html), p.blog_id FROM posts p
    JOIN blogs b ON b.id = p.blog_id WHERE p.status = 'published' AND b.locale = 'fr';
INSERT INTO post_search_en (rowid, title, body, blog)
    SELECT p.id, p.title, carnet_search_text(p.html), p.blog_id FROM posts p
    JOIN blogs b ON b.id = p.blog_id WHERE p.status = 'published' AND b.locale = 'en';
INSERT INTO post_search_fr (post_search_fr) VALUES ('optimize');
INSERT INTO post_search_en (post_search_en) VALUES ('optimize');
)sql",
     "the search index"},
    // A post may override its blog's comment policy; NULL follows the blog.
    {6, R"sql(
ALTER TABLE posts ADD COLUMN comment_policy TEXT
    CHECK (comment_policy IS NULL OR comment_policy IN ('open', 'first_held', 'all_held', 'closed'));
)sql"},
    // Search at scale, again. Prefix indexes: a prefix query ("gouv*") otherwise merges, at
    // every query, the doclists of every token that starts with it, which for a short prefix
    // is most of the index. FTS5 uses a prefix index only for a prefix of exactly its length
    // (in characters of the folded token): 2 to 5 cover what readers type; longer prefixes
    // match few tokens. Each length costs about half to three quarters of the main index on
    // disk. The tables are also made again because the tokenizers now index common words
    // paired with their neighbours (see search.cpp), which tables made before do not hold.
    {7, R"sql(
DROP TABLE post_search_fr;
DROP TABLE post_search_en;
CREATE VIRTUAL TABLE post_search_fr USING fts5(title, body, blog, tokenize = 'carnet_fr',
    prefix = '2 3 4 5');
CREATE VIRTUAL TABLE post_search_en USING fts5(title, body, blog, tokenize = 'carnet_en',
    prefix = '2 3 4 5');
INSERT INTO post_search_fr (rowid, title, body, blog)
    SELECT p.id, p.title, carnet_search_text(p.html), p.blog_id FROM posts p
    JOIN blogs b ON b.id = p.blog_id WHERE p.status = 'published' AND b.locale = 'fr';
INSERT INTO post_search_en (rowid, title, body, blog)
    SELECT p.id, p.title, carnet_search_text(p.html), p.blog_id FROM posts p
    JOIN blogs b ON b.id = p.blog_id WHERE p.status = 'published' AND b.locale = 'en';
INSERT INTO post_search_fr (post_search_fr) VALUES ('optimize');
INSERT INTO post_search_en (post_search_en) VALUES ('optimize');
)sql",
     "the search index"},
    // Moving blogs in and out of other hosts' formats (Movable Type): what those formats carry
    // that a carnet post or comment has no field for is kept beside it, so that an export
    // gives back what an import read. post_meta keys are namespaced by format ("mt_...").
    {8, R"sql(
CREATE TABLE post_meta (
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (post_id, key)
);

CREATE TABLE tags (
    id      INTEGER PRIMARY KEY,
    blog_id INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    UNIQUE (blog_id, name)
);
CREATE TABLE post_tags (
    post_id  INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_by_tag ON post_tags(tag_id, post_id);

ALTER TABLE comments ADD COLUMN kind TEXT NOT NULL DEFAULT 'comment'
    CHECK (kind IN ('comment', 'ping'));
-- The address an imported comment came from, as its export gave it; carnet's own comments
-- keep only client_hash.
ALTER TABLE comments ADD COLUMN author_ip TEXT NOT NULL DEFAULT '';
CREATE TABLE comment_meta (
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (comment_id, key)
);
)sql"},
    // Long prefixes ("gouverne*", longer than the prefix indexes) are searched as the tokens
    // they stand for: search_terms lists every indexed token of at least
    // search::k_shortest_listed_term (6) characters, per language. The store adds a
    // transaction's new tokens as it commits; tokens of deleted posts stay (a search for one
    // finds nothing). Filled here from the indexes as they are, pair tokens (which start with
    // a control character) left out.
    {9, R"sql(
CREATE TABLE search_terms (
    locale TEXT NOT NULL,
    term   TEXT NOT NULL,
    PRIMARY KEY (locale, term)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE temp.search_vocabulary_fr USING fts5vocab(main, post_search_fr, row);
CREATE VIRTUAL TABLE temp.search_vocabulary_en USING fts5vocab(main, post_search_en, row);
INSERT INTO search_terms (locale, term)
    SELECT 'fr', term FROM temp.search_vocabulary_fr WHERE length(term) >= 6 AND unicode(term) >= 32;
INSERT INTO search_terms (locale, term)
    SELECT 'en', term FROM temp.search_vocabulary_en WHERE length(term) >= 6 AND unicode(term) >= 32;
DROP TABLE temp.search_vocabulary_fr;
DROP TABLE temp.search_vocabulary_en;
)sql"},
    // Phrases such as "de la justice": the tokenizers now also index, where two common words
    // follow each other, the triple they make with the next word (see search.cpp), so that
    // such a phrase looks up a rare triple instead of walking the pair "de la" that nearly
    // every post holds. The tables are made again to hold them; search_terms lists no pair
    // or triple and stays as it is.
    {10, R"sql(
DROP TABLE post_search_fr;
DROP TABLE post_search_en;
CREATE VIRTUAL TABLE post_search_fr USING fts5(title, body, blog, tokenize = 'carnet_fr',
    prefix = '2 3 4 5');
CREATE VIRTUAL TABLE post_search_en USING fts5(title, body, blog, tokenize = 'carnet_en',
    prefix = '2 3 4 5');
INSERT INTO post_search_fr (rowid, title, body, blog)
    SELECT p.id, p.title, carnet_search_text(p.html), p.blog_id FROM posts p
    JOIN blogs b ON b.id = p.blog_id WHERE p.status = 'published' AND b.locale = 'fr';
INSERT INTO post_search_en (rowid, title, body, blog)
    SELECT p.id, p.title, carnet_search_text(p.html), p.blog_id FROM posts p
    JOIN blogs b ON b.id = p.blog_id WHERE p.status = 'published' AND b.locale = 'en';
INSERT INTO post_search_fr (post_search_fr) VALUES ('optimize');
INSERT INTO post_search_en (post_search_en) VALUES ('optimize');
)sql",
     "the search index"},
    // What the sidebar and the listings' page counts show, kept as the posts change instead of
    // counted on every render: counting every published post of a blog after each write made
    // the first render after it cost in proportion to the blog. Triggers keep them, so that
    // no write path can forget them; a month's row goes when its last post does.
    {11, R"sql(
CREATE TABLE month_counts (
    blog_id INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    year    INTEGER NOT NULL,
    month   INTEGER NOT NULL,
    posts   INTEGER NOT NULL,
    PRIMARY KEY (blog_id, year, month)
) WITHOUT ROWID;
INSERT INTO month_counts (blog_id, year, month, posts)
    SELECT blog_id, CAST(substr(posts.published_local, 1, 4) AS INTEGER), CAST(substr(posts.published_local, 6, 2) AS INTEGER), count(*) FROM posts
    WHERE status = 'published' GROUP BY 1, 2, 3;
ALTER TABLE categories ADD COLUMN published_posts INTEGER NOT NULL DEFAULT 0;
UPDATE categories SET published_posts = (
    SELECT count(*) FROM post_categories pc JOIN posts p ON p.id = pc.post_id
    WHERE pc.category_id = categories.id AND p.status = 'published');

CREATE TRIGGER month_counts_after_insert AFTER INSERT ON posts WHEN NEW.status = 'published'
BEGIN
    INSERT INTO month_counts (blog_id, year, month, posts)
        VALUES (NEW.blog_id, CAST(substr(NEW.published_local, 1, 4) AS INTEGER), CAST(substr(NEW.published_local, 6, 2) AS INTEGER), 1)
        ON CONFLICT (blog_id, year, month) DO UPDATE SET posts = posts + 1;
END;
CREATE TRIGGER month_counts_after_update AFTER UPDATE OF status, published_local, blog_id ON posts
    WHEN OLD.status = 'published' OR NEW.status = 'published'
BEGIN
    UPDATE month_counts SET posts = posts - 1
        WHERE OLD.status = 'published' AND blog_id = OLD.blog_id AND year = CAST(substr(OLD.published_local, 1, 4) AS INTEGER) AND month = CAST(substr(OLD.published_local, 6, 2) AS INTEGER);
    DELETE FROM month_counts
        WHERE OLD.status = 'published' AND blog_id = OLD.blog_id AND year = CAST(substr(OLD.published_local, 1, 4) AS INTEGER) AND month = CAST(substr(OLD.published_local, 6, 2) AS INTEGER)
        AND posts <= 0;
    INSERT INTO month_counts (blog_id, year, month, posts)
        SELECT NEW.blog_id, CAST(substr(NEW.published_local, 1, 4) AS INTEGER), CAST(substr(NEW.published_local, 6, 2) AS INTEGER), 1 WHERE NEW.status = 'published'
        ON CONFLICT (blog_id, year, month) DO UPDATE SET posts = posts + 1;
    UPDATE categories
        SET published_posts = published_posts + (CASE WHEN NEW.status = 'published' THEN 1 ELSE -1 END)
        WHERE (OLD.status = 'published') <> (NEW.status = 'published')
        AND id IN (SELECT category_id FROM post_categories WHERE post_id = NEW.id);
END;
-- Before the row goes: its categories are still listed then (the cascade comes after, and
-- finds no published post to count down again).
CREATE TRIGGER month_counts_before_delete BEFORE DELETE ON posts WHEN OLD.status = 'published'
BEGIN
    UPDATE month_counts SET posts = posts - 1
        WHERE blog_id = OLD.blog_id AND year = CAST(substr(OLD.published_local, 1, 4) AS INTEGER) AND month = CAST(substr(OLD.published_local, 6, 2) AS INTEGER);
    DELETE FROM month_counts
        WHERE blog_id = OLD.blog_id AND year = CAST(substr(OLD.published_local, 1, 4) AS INTEGER) AND month = CAST(substr(OLD.published_local, 6, 2) AS INTEGER) AND posts <= 0;
    UPDATE categories SET published_posts = published_posts - 1
        WHERE id IN (SELECT category_id FROM post_categories WHERE post_id = OLD.id);
END;
CREATE TRIGGER category_counts_after_insert AFTER INSERT ON post_categories
BEGIN
    UPDATE categories SET published_posts = published_posts + 1
        WHERE id = NEW.category_id
        AND EXISTS (SELECT 1 FROM posts WHERE id = NEW.post_id AND status = 'published');
END;
CREATE TRIGGER category_counts_after_delete AFTER DELETE ON post_categories
BEGIN
    UPDATE categories SET published_posts = published_posts - 1
        WHERE id = OLD.category_id
        AND EXISTS (SELECT 1 FROM posts WHERE id = OLD.post_id AND status = 'published');
END;
CREATE TRIGGER category_counts_after_update AFTER UPDATE OF post_id, category_id ON post_categories
BEGIN
    UPDATE categories SET published_posts = published_posts - 1
        WHERE id = OLD.category_id
        AND EXISTS (SELECT 1 FROM posts WHERE id = OLD.post_id AND status = 'published');
    UPDATE categories SET published_posts = published_posts + 1
        WHERE id = NEW.category_id
        AND EXISTS (SELECT 1 FROM posts WHERE id = NEW.post_id AND status = 'published');
END;
)sql"},
    // Secrets every process serving the blogs shares, such as the key of comment forms'
    // stamps: a form served by one node must be accepted by another.
    {12, R"sql(
CREATE TABLE shared_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
)sql"},
    // Application passwords: what writers' apps sign in with instead of the login password,
    // kept as a hash of the token, each with the label its user gave it.
    {13, R"sql(
CREATE TABLE app_passwords (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    UNIQUE (user_id, name)
);
)sql"},
    // The durable work queue (a job is claimed by one worker at a time, under a lease that
    // runs out if its node dies) and the webmentions received, each shown as a comment.
    {14, R"sql(
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    blog_id     INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    job_key     TEXT NOT NULL UNIQUE,
    attempts    INTEGER NOT NULL DEFAULT 0,
    run_at      INTEGER NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_due ON jobs(run_at, id);
CREATE TABLE mentions (
    id           INTEGER PRIMARY KEY,
    blog_id      INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    post_id      INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    source       TEXT NOT NULL,
    target       TEXT NOT NULL,
    comment_id   INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    author_photo TEXT NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL,
    UNIQUE (blog_id, source, target)
);
CREATE INDEX mentions_by_comment ON mentions(comment_id);
)sql"},
    // IndieAuth: the authorization codes users approve for Micropub clients (single use, by
    // hash) and the access tokens exchanged for them (by hash, with their scopes).
    {15, R"sql(
CREATE TABLE auth_codes (
    code_hash      TEXT PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blog_id        INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    scope          TEXT NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE TABLE access_tokens (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blog_id      INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    client_id    TEXT NOT NULL,
    scope        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX access_tokens_of_user ON access_tokens(user_id, id);
)sql"},
    // The fediverse: a blog's followers (pending ones wait for the blog's approval), the
    // actors and domains it refuses, and the posts it sent them.
    {16, R"sql(
CREATE TABLE followers (
    id           INTEGER PRIMARY KEY,
    blog_id      INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    actor        TEXT NOT NULL,
    domain       TEXT NOT NULL,
    inbox        TEXT NOT NULL,
    shared_inbox TEXT NOT NULL DEFAULT '',
    follow_id    TEXT NOT NULL DEFAULT '',
    handle       TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT 'accepted' CHECK (state IN ('pending', 'accepted')),
    created_at   INTEGER NOT NULL,
    UNIQUE (blog_id, actor)
);
CREATE INDEX followers_by_domain ON followers(blog_id, domain);
CREATE TABLE federation_blocks (
    blog_id    INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    target     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blog_id, target)
);
-- The posts the blog's followers were sent, and the object id they know each by (kept when the
-- post goes, so that its Delete can name it).
CREATE TABLE federated_posts (
    blog_id   INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    post_id   INTEGER NOT NULL,
    object_id TEXT NOT NULL,
    PRIMARY KEY (blog_id, post_id)
);
)sql"},
    // The login throttle's counts, shared by every process serving the database (a guess on
    // one node counts on the others) and kept across restarts. Migration 17: 15 and 16 are
    // IndieAuth's and ActivityPub's.
    {17, R"sql(
CREATE TABLE login_failures (
    key      TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at  INTEGER NOT NULL
);
CREATE INDEX login_failures_by_time ON login_failures(last_at);
)sql"},
    // Replies and reactions from the fediverse: the Notes kept as comments (and the handle
    // their authors show with), the Likes and Announces counted on posts.
    {18, R"sql(
ALTER TABLE comments ADD COLUMN author_handle TEXT NOT NULL DEFAULT '';
CREATE TABLE remote_notes (
    blog_id    INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    note_id    TEXT NOT NULL,
    actor      TEXT NOT NULL,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    PRIMARY KEY (blog_id, note_id)
);
CREATE INDEX remote_notes_by_comment ON remote_notes(comment_id);
CREATE TABLE reactions (
    blog_id     INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('like', 'announce')),
    activity_id TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (blog_id, post_id, actor, kind)
);
CREATE INDEX reactions_by_activity ON reactions(blog_id, activity_id);
)sql"},
    // Blogs whose owner approves each follower on the fediverse.
    {19, R"sql(
ALTER TABLE blogs ADD COLUMN approve_followers INTEGER NOT NULL DEFAULT 0
    CHECK (approve_followers IN (0, 1));
)sql"},
    // The accounts a blog follows on the fediverse (pending until their Accept) and what they
    // post, kept for the admin's reader.
    {20, R"sql(
CREATE TABLE followings (
    id          INTEGER PRIMARY KEY,
    blog_id     INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    actor       TEXT NOT NULL,
    handle      TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    inbox       TEXT NOT NULL,
    profile_url TEXT NOT NULL DEFAULT '',
    follow_id   TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
    created_at  INTEGER NOT NULL,
    UNIQUE (blog_id, actor)
);
CREATE TABLE reader_items (
    id            INTEGER PRIMARY KEY,
    blog_id       INTEGER NOT NULL REFERENCES blogs(id) ON DELETE CASCADE,
    object_id     TEXT NOT NULL,
    actor         TEXT NOT NULL,
    author_name   TEXT NOT NULL DEFAULT '',
    author_handle TEXT NOT NULL DEFAULT '',
    author_url    TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    html          TEXT NOT NULL,
    published_at  INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (blog_id, object_id)
);
CREATE INDEX reader_items_by_time ON reader_items(blog_id, published_at DESC, id DESC);
)sql"},
    // A category page's posts in the order it shows them, without a sort: the post's
    // published_at while it is published (NULL otherwise) kept beside each of its categories.
    // Sorting a large category's posts for every page was most of its render at 100,000 posts.
    {21, R"sql(
ALTER TABLE post_categories ADD COLUMN listed_at INTEGER;
UPDATE post_categories SET listed_at = (
    SELECT CASE WHEN p.status = 'published' THEN p.published_at END
    FROM posts p WHERE p.id = post_categories.post_id);
CREATE INDEX post_categories_listed ON post_categories(category_id, listed_at DESC, post_id DESC)
    WHERE listed_at IS NOT NULL;
CREATE TRIGGER post_categories_listed_after_insert AFTER INSERT ON post_categories BEGIN
    UPDATE post_categories SET listed_at = (
        SELECT CASE WHEN p.status = 'published' THEN p.published_at END
        FROM posts p WHERE p.id = NEW.post_id)
    WHERE post_id = NEW.post_id AND category_id = NEW.category_id;
END;
CREATE TRIGGER posts_listed_after_update AFTER UPDATE OF status, published_at ON posts BEGIN
    UPDATE post_categories
    SET listed_at = CASE WHEN NEW.status = 'published' THEN NEW.published_at END
    WHERE post_id = NEW.id;
END;
)sql"},
    // The blog's published posts counted once, from the months' counts as they change: the
    // home page summed every month of the blog for its page count (1,096 rows at 100,000
    // posts, a fifth of its render).
    {22, R"sql(
CREATE TABLE blog_counts (
    blog_id INTEGER PRIMARY KEY REFERENCES blogs(id) ON DELETE CASCADE,
    posts   INTEGER NOT NULL
);
INSERT INTO blog_counts (blog_id, posts) SELECT blog_id, sum(posts) FROM month_counts GROUP BY blog_id;
CREATE TRIGGER blog_counts_after_month_insert AFTER INSERT ON month_counts BEGIN
    INSERT INTO blog_counts (blog_id, posts) VALUES (NEW.blog_id, NEW.posts)
        ON CONFLICT (blog_id) DO UPDATE SET posts = posts + NEW.posts;
END;
CREATE TRIGGER blog_counts_after_month_update AFTER UPDATE OF posts ON month_counts BEGIN
    UPDATE blog_counts SET posts = posts + NEW.posts - OLD.posts WHERE blog_id = NEW.blog_id;
END;
CREATE TRIGGER blog_counts_after_month_delete AFTER DELETE ON month_counts BEGIN
    UPDATE blog_counts SET posts = posts - OLD.posts WHERE blog_id = OLD.blog_id;
END;
)sql"},
    // The comment rate limit's memory, shared by every process serving the database: a reader
    // balanced from node to node gets one allowance, not one per node. One row per attempt
    // still within its window, in one of max_attempts slots of its key; expired rows are
    // deleted as attempts come.
    {23, R"sql(
CREATE TABLE comment_attempts (
    key        TEXT NOT NULL,
    slot       INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (key, slot)
);
CREATE INDEX comment_attempts_by_expiry ON comment_attempts(expires_at);
)sql"},
    // The tokenizers now write a pair or triple of common words and their neighbours as a
    // token that FTS5 counts as one character (see search.cpp), which no prefix index holds:
    // their prefix entries, which no query could reach, were a third of the index. The
    // tables' index is made again from their own text, with the new tokens; their settings
    // and search_terms (which lists no pair) stay as they are.
    {24, R"sql(
INSERT INTO post_search_fr (post_search_fr) VALUES ('rebuild');
INSERT INTO post_search_en (post_search_en) VALUES ('rebuild');
INSERT INTO post_search_fr (post_search_fr) VALUES ('optimize');
INSERT INTO post_search_en (post_search_en) VALUES ('optimize');
)sql",
     "the search index"},
    // A month's or a day's listing finds its posts by their local date and sorts them by
    // their time: with the time in the index, the page's ids come from the index alone, not
    // from each post's row (the 91 posts of a month at 100,000 posts, a tenth of the month
    // page's render).
    {25, R"sql(
DROP INDEX posts_by_local_time;
CREATE INDEX posts_by_local_time ON posts(blog_id, status, published_local, published_at DESC, id DESC);
)sql",
     "the date index"},
    // A blog's contents generation moves only with what its pages list: posts, categories,
    // static pages and the blog's settings; comments, reactions and followers leave it as it
    // was. The sidebar (categories, months, recent posts, pages: aggregate queries over every
    // post) is made again only when it moves, not after every comment.
    {26, R"sql(
ALTER TABLE blogs ADD COLUMN contents_generation INTEGER NOT NULL DEFAULT 1;
UPDATE blogs SET contents_generation = generation;
)sql"},
    // Each month's count says the contents generation it last changed at, so that the first
    // render after a new post reads the one month that changed, not every month of the blog
    // (1,096 at 100,000 posts: a quarter of that render). The write that changes a count has
    // not bumped the generation yet: the stamp is the generation a reader saw before it.
    // Writes on SQLite are one at a time, so every change after a reader's look carries at
    // least the generation that reader saw.
    {27, R"sql(
ALTER TABLE month_counts ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX month_counts_by_change ON month_counts(blog_id, changed);
CREATE TRIGGER month_counts_stamp_after_insert AFTER INSERT ON month_counts BEGIN
    UPDATE month_counts SET changed = (SELECT contents_generation FROM blogs WHERE id = NEW.blog_id)
        WHERE blog_id = NEW.blog_id AND year = NEW.year AND month = NEW.month;
END;
CREATE TRIGGER month_counts_stamp_after_update AFTER UPDATE OF posts ON month_counts BEGIN
    UPDATE month_counts SET changed = (SELECT contents_generation FROM blogs WHERE id = NEW.blog_id)
        WHERE blog_id = NEW.blog_id AND year = NEW.year AND month = NEW.month;
END;
)sql"},
});

}  // namespace carnet::store
