// Click-to-load videos. The server renders each video as a link to the video's page (which
// works without this script); here each link becomes a button that, when pressed, puts the
// provider's player in its place. Until then the page sends nothing to the video site.
// No inline code anywhere: the pages may forbid inline scripts through their CSP.
"use strict";
(() => {
    // The only players this script will load, in the exact shapes the server writes.
    const player = new RegExp(
        "^https://(?:" +
            "www\\.youtube-nocookie\\.com/embed/[\\w-]{11}\\?autoplay=1(?:&start=\\d{1,5})?" +
            "|player\\.vimeo\\.com/video/\\d{1,12}\\?autoplay=1(?:#t=\\d{1,5}s)?" +
            "|www\\.dailymotion\\.com/embed/video/[A-Za-z0-9]{5,24}\\?autoplay=1" +
            "(?:&startTime=\\d{1,5})?" +
            ")$"
    );
    const words = { fr: "Lire la vidéo", en: "Play the video" };
    const lang = (document.documentElement.lang || "en").slice(0, 2).toLowerCase();
    const play = words[lang] || words.en;

    for (const figure of document.querySelectorAll("figure.video-embed[data-video-src]")) {
        const link = figure.querySelector("a.video-poster");
        const src = figure.dataset.videoSrc;
        if (!link || !player.test(src)) continue;
        const provider = figure.querySelector(".video-provider")?.textContent ?? "";
        const title = figure.querySelector(".video-title")?.textContent ?? "";

        const button = document.createElement("button");
        button.type = "button";
        button.className = link.className;
        button.setAttribute("aria-label", `${play}: ${title} (${provider})`);
        button.append(...link.childNodes);
        button.addEventListener(
            "click",
            () => {
                const frame = document.createElement("iframe");
                frame.src = src;
                frame.title = `${provider}: ${title}`;
                frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
                frame.allowFullscreen = true;
                frame.referrerPolicy = "strict-origin-when-cross-origin";
                button.replaceWith(frame);
                // The button is gone: keep keyboard focus on what replaced it.
                frame.focus();
            },
            { once: true }
        );
        link.replaceWith(button);
    }
})();
