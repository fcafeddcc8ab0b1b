// carnet and a fediverse server that is not carnet (tests/fediverse/fedify_peer.mjs, built on
// Fedify, with its own signing and verification): the peer follows a blog, gets its posts as
// signed Create(Article) activities that Fedify verifies, replies with a signed Note that the
// blog shows once the writer approves it, and a forged reply is refused and leaves nothing.

import { test } from "node:test";
import assert from "node:assert/strict";

import { waitFor } from "../browser/support.mjs";
import { bulk, decodeEntities, query, queueIds } from "../browser/comments_support.mjs";
import { publish, startFederatedBlog } from "./federated_blog.mjs";
import { peerName, startPeer } from "./fedify_peer.mjs";

const commentCount = async (db) => Number((await query(db, "SELECT count(*) AS n FROM comments"))[0].n);

test("a Fedify server follows a blog, verifies its posts and replies; a forged reply is refused", async (t) => {
    const blog = await startFederatedBlog(t);
    const peer = await startPeer(t);

    // The follow is accepted, with an Accept that Fedify verified.
    const followId = await peer.follow(blog.actor);
    const accept = await waitFor(() => peer.received.find((activity) => activity.type === "Accept"), {
        what: `an Accept from carnet\n${blog.log()}`,
    });
    assert.equal(accept.actor, blog.actor);
    assert.equal(accept.objectId ?? accept.object?.id, followId);
    const followers = await fetch(`${blog.actor}/followers?page=1`, {
        headers: { accept: "application/activity+json" },
    }).then((answer) => answer.text());
    assert.ok(followers.includes(peer.actor()), followers);

    // A post reaches the follower whole, as an Article Fedify verified and parsed.
    const postUrl = await publish(blog, "Palmyre", "Le théâtre, **au matin**.\n\nPuis le musée, fermé.");
    const create = await waitFor(
        () => peer.received.find((activity) => activity.type === "Create" && activity.object?.type === "Article"),
        { what: `a Create(Article) from carnet\n${blog.log()}` }
    );
    assert.equal(create.actor, blog.actor);
    const article = create.object;
    assert.equal(article.name, "Palmyre");
    assert.equal(article.url?.href ?? article.url, postUrl);
    assert.match(article.content, /Le théâtre, <strong>au matin<\/strong>\./);
    assert.match(article.content, /Puis le musée, fermé\./);
    const delivery = peer.inboxRequests.find((request) => request.body.includes('"Article"'));
    assert.ok(delivery, "the delivery was recorded");
    assert.equal(delivery.status, 202);
    assert.match(delivery.headers.signature ?? "", /keyId="[^"]*\/actor#main-key"/);

    // The same delivery with its body changed on the way is refused by Fedify: it does verify.
    const tampered = await fetch(`${peer.origin}${delivery.path}`, {
        method: "POST",
        headers: delivery.headers,
        body: delivery.body.replace("Palmyre", "Palmyra"),
    });
    assert.equal(tampered.status, 401);
    assert.equal(peer.received.filter((activity) => activity.type === "Create").length, 1);

    // A signed reply waits for the writer, then shows under the post with its author.
    const postPath = new URL(postUrl).pathname;
    const before = await commentCount(blog.db);
    await peer.reply(blog.actor, article.id, "<p>Merci pour ce récit de Palmyre.</p>");
    const pending = await waitFor(async () => {
        const ids = await queueIds(blog.admin, 1, "pending");
        return ids.length > 0 && ids;
    }, { what: `the reply in the moderation queue\n${blog.log()}` });
    assert.equal(pending.length, 1);
    assert.equal(await commentCount(blog.db), before + 1);
    let page = await fetch(blog.url(postPath)).then((answer) => answer.text());
    assert.ok(!page.includes("Merci pour ce récit"), "a held reply is not shown");
    await bulk(blog.admin, 1, "approve", pending);
    page = decodeEntities(await fetch(blog.url(postPath)).then((answer) => answer.text()));
    assert.ok(page.includes("Merci pour ce récit de Palmyre."), page);
    assert.ok(page.includes(peerName), page);
    assert.ok(page.includes(`@pia@127.0.0.1`), page);

    // A reply signed with another key than the account's is refused and stored nowhere.
    const forged = await peer.forgedReply(blog.actor, article.id, "<p>Faux message de Pia.</p>");
    assert.equal(forged.status, 401, forged.text);
    assert.equal(await commentCount(blog.db), before + 1);
    assert.deepEqual(await queueIds(blog.admin, 1, "pending"), []);
    page = await fetch(blog.url(postPath)).then((answer) => answer.text());
    assert.ok(!page.includes("Faux message"), "the forged reply is not shown");
});
