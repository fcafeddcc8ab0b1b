// The admin's Mustache templates. They are part of the program, not of a theme: a blog's
// theme changes what readers see, never the writer's tools.
#pragma once

#include <string_view>

namespace carnet::admin::templates {

inline constexpr std::string_view k_layout = R"(<!DOCTYPE html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}} · {{t.admin}}</title>
<link rel="stylesheet" href="/admin/assets/admin.css">
<script src="/admin/assets/admin.js" defer></script>
</head>
<body>
{{#access}}
<header class="bar">
  <a class="blog" href="/admin/blogs/{{blog_id}}/">{{blog_title}}</a>
  <nav aria-label="{{t.admin}}">
    <a href="/admin/blogs/{{blog_id}}/">{{t.dashboard}}</a>
    {{#can_write}}<a href="/admin/blogs/{{blog_id}}/posts">{{t.posts}}</a>
    <a href="/admin/blogs/{{blog_id}}/posts/new">{{t.new_post}}</a>
    <a href="/admin/blogs/{{blog_id}}/media">{{t.media}}</a>{{/can_write}}
    {{#can_moderate}}<a href="/admin/blogs/{{blog_id}}/comments">{{t.comments}}</a>{{/can_moderate}}
    {{#can_edit_all}}<a href="/admin/blogs/{{blog_id}}/pages">{{t.pages}}</a>
    <a href="/admin/blogs/{{blog_id}}/categories">{{t.categories}}</a>{{/can_edit_all}}
    {{#can_configure}}<a href="/admin/blogs/{{blog_id}}/settings">{{t.settings}}</a>{{/can_configure}}
    <a href="{{blog_url}}">{{t.view_blog}}</a>
  </nav>
  {{#has_other_blogs}}
  <details class="switch"><summary>{{t.switch_blog}}</summary><ul>
  {{#other_blogs}}<li><a href="/admin/blogs/{{id}}/">{{title}}</a></li>{{/other_blogs}}
  </ul></details>
  {{/has_other_blogs}}
  <form method="post" action="/admin/logout" class="logout">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <span>{{user_name}}</span> <button type="submit">{{t.logout}}</button>
  </form>
</header>
{{/access}}
<main id="main">
{{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
{{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
{{{body}}}
</main>
</body>
</html>
)";

inline constexpr std::string_view k_login = R"(<h1>{{t.login}}</h1>
<form method="post" action="/admin/login" class="login">
  <input type="hidden" name="csrf" value="{{login_csrf}}">
  <input type="hidden" name="next" value="{{next}}">
  <p><label for="email">{{t.email}}</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="{{email}}"></p>
  <p><label for="password">{{t.password}}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">{{t.login}}</button></p>
</form>
)";

inline constexpr std::string_view k_dashboard = R"(<h1>{{t.dashboard}}</h1>
<ul class="counts">
  <li><a href="/admin/blogs/{{blog_id}}/posts?status=published"><strong>{{published}}</strong> {{t.published}}</a></li>
  <li><a href="/admin/blogs/{{blog_id}}/posts?status=draft"><strong>{{drafts}}</strong> {{t.drafts}}</a></li>
  <li><a href="/admin/blogs/{{blog_id}}/posts?status=scheduled"><strong>{{scheduled}}</strong> {{t.scheduled}}</a></li>
  <li><a href="/admin/blogs/{{blog_id}}/comments?status=pending"><strong>{{comments_pending}}</strong> {{t.comments_pending}}</a></li>
</ul>
<figure class="chart">
{{{chart}}}
<figcaption>{{t.posts_per_month}}</figcaption>
</figure>
)";

inline constexpr std::string_view k_posts = R"(<h1>{{t.posts}}</h1>
<form method="get" class="filters">
  <label>{{t.status}} <select name="status">
    {{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}
  </select></label>
  <label>{{t.category}} <select name="category">
    <option value="">{{t.all}}</option>
    {{#categories}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/categories}}
  </select></label>
  <label>{{t.search_title}} <input name="q" value="{{q}}"></label>
  <button type="submit">{{t.filter}}</button>
</form>
{{#has_posts}}
<table class="posts">
<thead><tr><th>{{t.title}}</th><th>{{t.status}}</th><th>{{t.date}}</th><th>{{t.categories}}</th></tr></thead>
<tbody>
{{#posts}}<tr><td><a href="/admin/blogs/{{blog_id}}/posts/{{id}}">{{title}}</a></td><td>{{status}}</td><td><time datetime="{{iso}}">{{when}}</time></td><td>{{categories}}</td></tr>
{{/posts}}
</tbody>
</table>
{{/has_posts}}
{{^has_posts}}<p>{{t.no_posts}}</p>{{/has_posts}}
<nav class="pages">
{{#previous}}<a href="{{previous}}">{{t.previous}}</a>{{/previous}}
{{#next}}<a href="{{next}}">{{t.next}}</a>{{/next}}
</nav>
)";

inline constexpr std::string_view k_editor = R"(<h1>{{heading}}</h1>
{{#public_url}}<p><a href="{{public_url}}">{{public_url}}</a></p>{{/public_url}}
<form method="post" action="{{action}}" class="editor" id="editor"{{#autosave_url}} data-autosave-url="{{autosave_url}}"{{/autosave_url}}>
  <input type="hidden" name="csrf" value="{{csrf}}">
  <p><label for="title">{{t.title}}</label>
  <input id="title" name="title" required value="{{title}}"></p>
  <div class="write">
    <p class="source"><label for="body">{{t.body}}</label>
    <textarea id="body" name="source" rows="24" data-preview-url="{{preview_url}}" data-upload-url="{{upload_url}}">{{source}}</textarea>
    <label class="upload">{{t.upload}} <input type="file" id="upload" accept="image/jpeg,image/png,image/webp,image/gif"></label></p>
    <section class="preview" aria-label="{{t.preview}}"><h2>{{t.preview}}</h2><div id="preview" class="post-body">{{{preview}}}</div></section>
  </div>
  {{#is_post}}
  <p><label for="categories">{{t.categories}}</label>
  <input id="categories" name="categories" list="known-categories" value="{{categories}}">
  <datalist id="known-categories">{{#known_categories}}<option value="{{name}}">{{/known_categories}}</datalist>
  <small>{{t.categories_hint}}</small></p>
  {{/is_post}}
  <p><label for="slug">{{t.slug}}</label>
  <input id="slug" name="slug" value="{{slug}}" pattern="[a-z0-9]+(-[a-z0-9]+)*" placeholder="{{slug_placeholder}}">
  <small>{{t.slug_hint}}</small></p>
  {{#is_post}}
  <p><label for="excerpt">{{t.excerpt}}</label>
  <textarea id="excerpt" name="excerpt" rows="3">{{excerpt}}</textarea></p>
  <p><label for="status">{{t.status}}</label>
  <select id="status" name="status">{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></p>
  <p><label for="published_at">{{t.publication_time}}</label>
  <input id="published_at" name="published_at" type="datetime-local" value="{{published_local}}">
  <small>{{t.publication_hint}} ({{time_zone}})</small></p>
  <p><label><input type="checkbox" name="comments_open" value="1"{{#comments_open}} checked{{/comments_open}}> {{t.comments_open}}</label></p>
  <p><label for="comment_policy">{{t.comment_policy}}</label>
  <select id="comment_policy" name="comment_policy"><option value="">{{t.policy_blog}}</option>{{#policies}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/policies}}</select></p>
  {{/is_post}}
  {{#is_page}}
  <p><label><input type="checkbox" name="published" value="1"{{#published}} checked{{/published}}> {{t.published_page}}</label></p>
  <p><label for="position">{{t.position}}</label> <input id="position" name="position" type="number" value="{{position}}"></p>
  {{/is_page}}
  <p><button type="submit">{{t.save}}</button> <span id="autosave-status" role="status"></span></p>
</form>
{{#has_media}}
<section class="media-picker"><h2>{{t.media}}</h2><ul>
{{#media}}<li><img src="{{thumb}}" alt="" width="96"> <button type="button" data-insert="{{markdown}}">{{t.insert}}</button></li>{{/media}}
</ul></section>
{{/has_media}}
{{#has_revisions}}
<section class="revisions"><h2>{{t.revisions}}</h2><ol>
{{#revisions}}<li><a href="{{url}}">{{when}}</a> — {{author}}{{#autosave}} ({{t.autosave}}){{/autosave}}</li>{{/revisions}}
</ol></section>
{{/has_revisions}}
{{#delete_url}}
<form method="post" action="{{delete_url}}" class="danger">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <button type="submit">{{t.delete}}</button>
</form>
{{/delete_url}}
)";

inline constexpr std::string_view k_revision = R"(<h1>{{t.revision_of}} {{when}}</h1>
<p><a href="{{post_url}}">{{title}}</a></p>
<table class="diff"><tbody>
{{#lines}}<tr class="{{kind}}"><td>{{sign}}</td><td><pre>{{text}}</pre></td></tr>
{{/lines}}
</tbody></table>
<form method="post" action="{{restore_url}}">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <button type="submit">{{t.restore}}</button>
</form>
)";

inline constexpr std::string_view k_pages = R"(<h1>{{t.pages}}</h1>
<p><a href="/admin/blogs/{{blog_id}}/pages/new">{{t.new_page}}</a></p>
<ul>
{{#pages}}<li><a href="/admin/blogs/{{blog_id}}/pages/{{id}}">{{title}}</a>{{^published}} ({{t.status_draft}}){{/published}}</li>{{/pages}}
</ul>
)";

inline constexpr std::string_view k_categories = R"(<h1>{{t.categories}}</h1>
<table class="categories"><thead><tr><th>{{t.title}}</th><th>{{t.count}}</th><th></th></tr></thead><tbody>
{{#categories}}<tr><td>
  <form method="post" action="/admin/blogs/{{blog_id}}/categories/{{id}}/rename" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input name="name" value="{{name}}" aria-label="{{t.title}}"> <input name="slug" value="{{slug}}" aria-label="{{t.slug}}">
    <button type="submit">{{t.rename}}</button>
  </form></td><td>{{count}}</td><td>
  <form method="post" action="/admin/blogs/{{blog_id}}/categories/{{id}}/merge" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <select name="into" aria-label="{{t.merge_into}}">{{#targets}}<option value="{{id}}">{{name}}</option>{{/targets}}</select>
    <button type="submit">{{t.merge}}</button>
  </form>
  <form method="post" action="/admin/blogs/{{blog_id}}/categories/{{id}}/delete" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit">{{t.delete_category}}</button>
  </form></td></tr>
{{/categories}}
</tbody></table>
)";

inline constexpr std::string_view k_media = R"(<h1>{{t.media}}</h1>
<form method="post" action="{{upload_url}}" enctype="multipart/form-data" class="upload-form">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t.upload}} <input type="file" name="file" accept="image/jpeg,image/png,image/webp,image/gif" required></label>
  <button type="submit">{{t.upload}}</button>
</form>
{{#has_media}}<ul class="media-grid">
{{#media}}<li><img src="{{thumb}}" alt="" width="160"><code>{{markdown}}</code></li>{{/media}}
</ul>{{/has_media}}
{{^has_media}}<p>{{t.no_media}}</p>{{/has_media}}
)";

inline constexpr std::string_view k_settings = R"(<h1>{{t.settings}}</h1>
<form method="post" action="/admin/blogs/{{blog_id}}/settings" class="settings">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <p><label for="title">{{t.blog_title}}</label> <input id="title" name="title" required value="{{title}}"></p>
  <p><label for="subtitle">{{t.subtitle}}</label> <input id="subtitle" name="subtitle" value="{{subtitle}}"></p>
  <p><label for="locale">{{t.locale}}</label> <select id="locale" name="locale">
    <option value="fr"{{#is_fr}} selected{{/is_fr}}>Français</option>
    <option value="en"{{#is_en}} selected{{/is_en}}>English</option></select></p>
  <p><label for="time_zone">{{t.time_zone}}</label> <input id="time_zone" name="time_zone" required value="{{time_zone}}"></p>
  <p><label for="posts_per_page">{{t.posts_per_page}}</label> <input id="posts_per_page" name="posts_per_page" type="number" min="1" max="100" value="{{posts_per_page}}"></p>
  <p><label for="theme">{{t.theme}}</label> <input id="theme" name="theme" value="{{theme}}"></p>
  <p><label for="base_url">{{t.base_url}}</label> <input id="base_url" name="base_url" type="url" value="{{base_url}}"></p>
  <p><label for="comment_policy">{{t.comment_policy}}</label> <select id="comment_policy" name="comment_policy">
    {{#policies}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/policies}}</select></p>
  <p><label for="close_after">{{t.close_after_days}}</label> <input id="close_after" name="close_comments_after_days" type="number" min="0" value="{{close_comments_after_days}}"></p>
  <p><button type="submit">{{t.save}}</button></p>
</form>
)";

inline constexpr std::string_view k_comments = R"(<h1>{{t.comments}}</h1>
<nav class="tabs">{{#tabs}}<a href="/admin/blogs/{{blog_id}}/comments?status={{value}}"{{#current}} aria-current="page"{{/current}}>{{label}} ({{count}})</a> {{/tabs}}</nav>
{{#has_comments}}
<form method="post" action="/admin/blogs/{{blog_id}}/comments/bulk" class="moderation">
<input type="hidden" name="csrf" value="{{csrf}}">
<p class="bulk"><label>{{t.bulk_action}} <select name="action">
  <option value="approve">{{t.approve}}</option><option value="spam">{{t.mark_spam}}</option>
  <option value="trash">{{t.to_trash}}</option><option value="delete">{{t.delete_comment}}</option>
</select></label> <button type="submit">{{t.apply}}</button></p>
<table class="comments"><tbody>
{{#comments}}<tr id="moderate-{{id}}">
<td><input type="checkbox" name="ids" value="{{id}}" aria-label="{{t.select}} {{id}}"></td>
<td><strong class="author">{{author}}</strong>{{#email}}<br><small>{{email}}</small>{{/email}}{{#url}}<br><small>{{url}}</small>{{/url}}<br><small>{{when}}</small></td>
<td><a href="{{post_url}}">{{post_title}}</a><div class="comment-text">{{{html}}}</div>
<details><summary>{{t.edit}}</summary><textarea name="body_{{id}}" rows="4" aria-label="{{t.edit}}">{{source}}</textarea>
<button type="submit" formaction="/admin/blogs/{{blog_id}}/comments/{{id}}">{{t.save}}</button></details>
<details><summary>{{t.reply}}</summary><textarea name="reply_{{id}}" rows="3" aria-label="{{t.reply}}"></textarea>
<button type="submit" formaction="/admin/blogs/{{blog_id}}/comments/{{id}}/reply">{{t.reply}}</button></details></td>
<td class="actions">
{{^is_approved}}<button type="submit" formaction="/admin/blogs/{{blog_id}}/comments/{{id}}/approve">{{t.approve}}</button>{{/is_approved}}
{{^is_spam}}<button type="submit" formaction="/admin/blogs/{{blog_id}}/comments/{{id}}/spam">{{t.mark_spam}}</button>{{/is_spam}}
{{^is_trash}}<button type="submit" formaction="/admin/blogs/{{blog_id}}/comments/{{id}}/trash">{{t.to_trash}}</button>{{/is_trash}}
<button type="submit" formaction="/admin/blogs/{{blog_id}}/comments/{{id}}/delete">{{t.delete_comment}}</button>
</td></tr>
{{/comments}}
</tbody></table>
</form>
{{/has_comments}}
{{^has_comments}}<p>{{t.no_comments}}</p>{{/has_comments}}
<nav class="pages">
{{#previous}}<a href="{{previous}}">{{t.previous}}</a>{{/previous}}
{{#next}}<a href="{{next}}">{{t.next}}</a>{{/next}}
</nav>
)";

inline constexpr std::string_view k_message = R"(<h1>{{heading}}</h1>
<p>{{message}}</p>
)";

}  // namespace carnet::admin::templates
