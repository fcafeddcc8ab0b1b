// Click-to-load videos in a real browser: a post body holding a YouTube or a Vimeo URL alone
// in a paragraph shows a local poster; nothing is asked of the video site until the reader
// presses play, and then only the provider's privacy-friendly player. Without JavaScript the
// poster is a link to the video page.
import assert from "node:assert/strict";
import { test } from "node:test";

import { openBrowser, startBlog } from "./support.mjs";

// A saved front page of the old service (the format src/interop/page_text_parse.cpp reads):
// two posts of one day, each ending with a video URL alone on its line.
const pageText = `12/03/2024

Deux vidéos de Misrata

Vidéo de l'attaque, à partir de la minute et demie :

https://youtu.be/dQw4w9WgXcQ?t=90

18:30 Publié dans Libye, Misrata | Lien permanent | Commentaires (0) | | | | |

Le port de Misrata

Les images du port, filmées depuis un drone :

https://vimeo.com/76979871

09:15 Publié dans Libye | Lien permanent | Commentaires (0) | | | | |
`;

const youtubePlayer = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=90";
const vimeoPlayer = "https://player.vimeo.com/video/76979871?autoplay=1";
const youtubePage = "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90s";

// The policy carnet's public pages are about to send: no inline script, frames only from the
// three players. The pages are served with it here so that the video script is tested under
// it (a violation is a console error, which fails the test).
const contentSecurityPolicy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-src https://www.youtube-nocookie.com https://player.vimeo.com " +
        "https://www.dailymotion.com",
].join("; ");

async function serveWithPolicy(context, blog) {
    await context.route(`${blog.origin}/**`, async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers(), "content-security-policy": contentSecurityPolicy };
        await route.fulfill({ response, headers });
    });
}

// Stands in for a provider's player so that no test needs the network; records when (in
// request order, see `mark`) each player was asked for.
async function stubPlayers(page, browser) {
    const asked = [];
    await page.route(/^https:\/\/(www\.youtube-nocookie\.com|player\.vimeo\.com)\//, (route) => {
        asked.push({ url: route.request().url(), at: browser.mark() });
        return route.fulfill({
            status: 200,
            contentType: "text/html; charset=utf-8",
            body: "<!doctype html><title>player</title><p>stub player</p>",
        });
    });
    return asked;
}

test("video posters load nothing from the provider until the reader presses play", async (t) => {
    const blog = await startBlog(t, { pageText });
    const browser = await openBrowser(t, blog);
    await serveWithPolicy(browser.context, blog);
    const page = await browser.newPage();
    const asked = await stubPlayers(page, browser);

    const response = await page.goto(blog.url("/"), { waitUntil: "load" });
    assert.equal(response.status(), 200);
    // Found by their player, as the poster's text goes when the player comes.
    const youtube = page.locator('figure.video-embed[data-video-src*="youtube-nocookie"]');
    const vimeo = page.locator('figure.video-embed[data-video-src*="vimeo"]');
    // The script has made each poster a button, named for what it plays.
    const youtubeButton = youtube.getByRole("button");
    await youtubeButton.waitFor();
    assert.match(await youtubeButton.getAttribute("aria-label"), /YouTube/);
    assert.match(await youtubeButton.innerText(), /https:\/\/youtu\.be\/dQw4w9WgXcQ\?t=90/);
    assert.equal(await page.locator("iframe").count(), 0);
    // The poster is 16:9 and sits within the column.
    const box = await youtube.boundingBox();
    assert.ok(Math.abs(box.width / box.height - 16 / 9) < 0.02, JSON.stringify(box));
    assert.equal(asked.length, 0);
    browser.assertClean();

    const beforeClick = browser.mark();
    await youtubeButton.click();
    const youtubeFrame = youtube.locator("iframe");
    await youtubeFrame.waitFor();
    assert.equal(await youtubeFrame.getAttribute("src"), youtubePlayer);
    assert.match(await youtubeFrame.getAttribute("title"), /YouTube/);
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), "IFRAME");
    assert.equal(await vimeo.locator("iframe").count(), 0, "one click loads one player");

    // Keyboard users get there too: a focused button plays on Enter.
    const vimeoButton = vimeo.getByRole("button");
    await vimeoButton.focus();
    await page.keyboard.press("Enter");
    const vimeoFrame = vimeo.locator("iframe");
    await vimeoFrame.waitFor();
    assert.equal(await vimeoFrame.getAttribute("src"), vimeoPlayer);
    await page.frameLocator("figure.video-embed iframe").first().getByText("stub player").waitFor();

    // The only requests that left the blog are the two players, asked after the clicks.
    assert.deepEqual(
        asked.map((request) => request.url),
        [youtubePlayer, vimeoPlayer]
    );
    assert.ok(asked.every((request) => request.at >= beforeClick));
    assert.deepEqual(
        browser.foreignRequests.map((request) => request.url),
        [youtubePlayer, vimeoPlayer]
    );
    assert.ok(browser.foreignRequests.every((request) => request.at >= beforeClick));
    browser.assertClean({ allowForeign: true });
});

test("a post page plays its video on click and loads nothing foreign before", async (t) => {
    const blog = await startBlog(t, { pageText });
    const browser = await openBrowser(t, blog);
    await serveWithPolicy(browser.context, blog);
    const page = await browser.newPage();
    const asked = await stubPlayers(page, browser);

    await page.goto(blog.url("/"));
    await page
        .getByRole("heading", { name: "Deux vidéos de Misrata" })
        .getByRole("link")
        .click();
    await page.waitForURL(/\/archive\/2024\/03\/12\/deux-videos-de-misrata\.html$/);
    assert.equal(await page.locator("h1").innerText(), "Deux vidéos de Misrata");
    const button = page.locator("figure.video-embed").getByRole("button");
    await button.waitFor();
    assert.equal(await page.locator("figure.video-embed").count(), 1);
    browser.assertClean();

    const beforeClick = browser.mark();
    await button.click();
    await page.locator("figure.video-embed iframe").waitFor();
    const frame = page.locator("figure.video-embed iframe");
    assert.equal(await frame.getAttribute("src"), youtubePlayer);
    assert.deepEqual(
        asked.map((request) => request.url),
        [youtubePlayer]
    );
    assert.ok(browser.foreignRequests.every((request) => request.at >= beforeClick));
    browser.assertClean({ allowForeign: true });
});

test("without JavaScript the poster is a plain link to the video page", async (t) => {
    const blog = await startBlog(t, { pageText });
    const browser = await openBrowser(t, blog, { javaScriptEnabled: false });
    const page = await browser.newPage();

    await page.goto(blog.url("/"));
    assert.equal(await page.locator("figure.video-embed").count(), 2);
    assert.equal(await page.locator("figure.video-embed button").count(), 0);
    assert.equal(await page.locator("iframe").count(), 0);
    const link = page.getByRole("link", { name: /YouTube/ });
    assert.equal(await link.getAttribute("href"), youtubePage);
    assert.equal(
        await page.getByRole("link", { name: /Vimeo/ }).getAttribute("href"),
        "https://vimeo.com/76979871"
    );
    browser.assertClean();

    // Following it goes to the video's page (a stub here) and nowhere else.
    await page.route("https://www.youtube.com/**", (route) =>
        route.fulfill({ status: 200, contentType: "text/html", body: "<title>video page</title>" })
    );
    await link.click();
    await page.waitForURL(youtubePage);
    assert.deepEqual(
        browser.foreignRequests.map((request) => request.url),
        [youtubePage]
    );
});

test("the pages carry no inline script and the video script is served by the blog", async (t) => {
    const blog = await startBlog(t, { pageText });
    const browser = await openBrowser(t, blog);
    const page = await browser.newPage();

    await page.goto(blog.url("/"));
    const scripts = await page.locator("script").evaluateAll((elements) =>
        elements.map((script) => ({
            src: script.getAttribute("src"),
            type: script.getAttribute("type"),
            defer: script.defer,
        }))
    );
    assert.deepEqual(scripts, [{ src: "/theme/video.js", type: null, defer: true }]);
    const handlers = await page.evaluate(
        () =>
            [...document.querySelectorAll("*")].flatMap((element) =>
                [...element.attributes].filter((a) => a.name.startsWith("on")).map((a) => a.name)
            ).length
    );
    assert.equal(handlers, 0);

    const script = await page.request.get(blog.url("/theme/video.js"));
    assert.equal(script.status(), 200);
    assert.match(script.headers()["content-type"], /^text\/javascript/);
    assert.ok((await script.body()).length < 4096, "the script stays small");
    assert.equal((await page.request.get(blog.url("/theme/missing.js"))).status(), 404);
    browser.assertClean();
});
