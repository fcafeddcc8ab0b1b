// Templates in Mustache syntax, compiled once into a tree of literal spans and named slots and
// rendered against a light view model. Private to the theme module.
//
// Why not a general Mustache library: the one we used copies every string of a page into a
// tree of maps, copies the parsed template for each render (its render() is not const) and
// buffers each output line apart; together that was most of a page's render time (see
// bench/render_bench). Here a view holds its strings once (or borrows them: a post's body is
// not copied), parts shared between pages (the sidebar, the translated strings) are held by
// pointer, and rendering writes straight into one string.
//
// What a template writes is what themes written for that library got, byte for byte:
// - {{name}} escaped with text::html_escape, {{{name}}} and {{&name}} as they are, {{! ...}}
//   nothing; dotted names (a.b) and {{.}} resolve as Mustache says, through the section
//   stack; a name that resolves to no text writes nothing.
// - {{#name}}...{{/name}} repeats for each item of a list, renders once with an object, a
//   string or true pushed, and is skipped for false, an empty list or a missing name;
//   {{^name}} renders for exactly those. A filter (ViewFilter) renders its section and
//   writes what the filter returns, unescaped.
// - Line rule: a line on which a section was rendered (opened or closed, repeated or
//   inverted) and which ends up empty or only blanks is dropped with its line end; every
//   other line is kept, an empty one too (a skipped section leaves an empty line).
// - {{=<% %>=}} sets other delimiters; partial tags ({{> name}}) write nothing here, since
//   page_templates.cpp inlines partials before compiling.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "model/model.hpp"

namespace carnet::theme {

class ViewValue;

// Named members in the order they were set; setting a name again replaces its value. The
// keys are borrowed: they must outlive the object (string literals, constexpr tables).
class ViewObject {
public:
    ViewObject() = default;
    ViewObject(const ViewObject&);
    ViewObject(ViewObject&&) noexcept;
    ViewObject& operator=(const ViewObject&);
    ViewObject& operator=(ViewObject&&) noexcept;
    ~ViewObject();

    // A literal key. (A std::string made for the occasion would be gone before the render, so
    // only literals take this path.)
    template <std::size_t N>
    ViewObject& set(const char (&key)[N], ViewValue value);
    // A key from a table that outlives the object.
    ViewObject& set_key(std::string_view key, ViewValue value);
    [[nodiscard]] const ViewValue* find(std::string_view key) const;
    void reserve(std::size_t members);

private:
    std::vector<std::pair<std::string_view, ViewValue>> members_;
};

using ViewList = std::vector<ViewValue>;

// A section that transforms what it contains: `apply` is called with `context` and the section
// rendered, and returns the HTML to write (it escapes what it must). A plain function and a
// pointer, so that views stay cheap to build and to move.
struct ViewFilter {
    std::string (*apply)(const void* context, std::string rendered) = nullptr;
    const void* context = nullptr;
};

class SharedView;

class ViewValue {
public:
    ViewValue() : value_(false) {}
    ViewValue(bool flag) : value_(flag) {}
    ViewValue(std::string text) : value_(std::move(text)) {}
    ViewValue(const char* text) : value_(std::string(text)) {}
    ViewValue(ViewList list) : value_(std::move(list)) {}
    ViewValue(ViewObject object) : value_(std::move(object)) {}
    ViewValue(std::shared_ptr<const ViewValue> shared) : value_(std::move(shared)) {}
    ViewValue(ViewFilter filter) : value_(std::move(filter)) {}
    ViewValue(std::shared_ptr<const SharedView> shared) : value_(std::move(shared)) {}

    // Text that the caller keeps alive until the render is done (a post's body).
    static ViewValue borrowed(std::string_view text) {
        ViewValue value;
        value.value_ = text;
        return value;
    }

    // The object this value is, or holds by pointer; nullptr for anything else.
    [[nodiscard]] const ViewObject* object() const;
    // The member `key` of the object this is; nullptr if there is none.
    [[nodiscard]] const ViewValue* member(std::string_view key) const {
        const auto* as_object = object();
        return as_object ? as_object->find(key) : nullptr;
    }
    // The value itself, behind any number of shared pointers.
    [[nodiscard]] const ViewValue& resolved() const;
    // The SharedView this is, behind any number of shared pointers; nullptr if it is none.
    [[nodiscard]] const SharedView* shared_view() const;

private:
    friend class CompiledTemplate;
    friend class TemplateRenderer;
    // The value behind any number of shared pointers, stopping at a SharedView.
    const ViewValue& followed() const;
    std::variant<bool, std::string, std::string_view, ViewList, ViewObject,
                 std::shared_ptr<const ViewValue>, ViewFilter, std::shared_ptr<const SharedView>>
        value_;
};

// A part of the view shared by many pages (a blog's sidebar): what a section over it writes
// is kept the first time it is rendered and written again after, as long as rendering it
// looked up nothing outside it and it began a line (so that the line rule gives the same
// bytes). Thread-safe.
class SharedView {
public:
    explicit SharedView(ViewValue value) : value_(std::move(value)) {}
    SharedView(const SharedView&) = delete;
    SharedView& operator=(const SharedView&) = delete;

    [[nodiscard]] const ViewValue& value() const { return value_; }

private:
    friend class TemplateRenderer;
    struct Kept {
        std::shared_ptr<const void> template_nodes;  // keeps the section's address from reuse
        const void* section = nullptr;
        std::string bytes;
        std::size_t line_start = 0;  // where the last line began, in `bytes`
        bool section_on_line = false;
    };
    ViewValue value_;
    mutable std::mutex mutex_;
    mutable std::vector<Kept> kept_;
};

inline ViewObject::ViewObject(const ViewObject&) = default;
inline ViewObject::ViewObject(ViewObject&&) noexcept = default;
inline ViewObject& ViewObject::operator=(const ViewObject&) = default;
inline ViewObject& ViewObject::operator=(ViewObject&&) noexcept = default;
inline ViewObject::~ViewObject() = default;

template <std::size_t N>
ViewObject& ViewObject::set(const char (&key)[N], ViewValue value) {
    return set_key(std::string_view(key, N - 1), std::move(value));
}

class CompiledTemplate {
public:
    // Fails with invalid_input naming the fault and its line (an unclosed tag or section, a
    // section closed that was not open, a bad delimiter tag).
    [[nodiscard]] static model::Result<CompiledTemplate> compile(std::string_view source);

    // Appends the template rendered from `view` to `out`. Safe from several threads at once.
    void render(const ViewValue& view, std::string& out) const;
    [[nodiscard]] std::string render(const ViewValue& view) const;

    struct Node;

private:
    std::shared_ptr<const std::vector<Node>> nodes_;
};

}  // namespace carnet::theme
