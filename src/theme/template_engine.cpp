#include "theme/template_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "text/text.hpp"
#include "theme/theme.hpp"

namespace carnet::theme {

using model::Error;

struct CompiledTemplate::Node {
    enum class Kind : std::uint8_t { text, line_end, variable, raw_variable, section, inverted };
    Kind kind = Kind::text;
    std::string text;               // the literal, or the line end's own characters
    std::vector<std::string> path;  // a.b.c as {a, b, c}; {{.}} as none
    std::vector<Node> children;     // a section's content
};

ViewObject& ViewObject::set_key(std::string_view key, ViewValue value) {
    for (auto& member : members_) {
        if (member.first == key) {
            member.second = std::move(value);
            return *this;
        }
    }
    members_.emplace_back(key, std::move(value));
    return *this;
}

const ViewValue* ViewObject::find(std::string_view key) const {
    for (const auto& member : members_) {
        if (member.first == key) return &member.second;
    }
    return nullptr;
}

void ViewObject::reserve(std::size_t members) { members_.reserve(members); }

const ViewValue& ViewValue::followed() const {
    const ViewValue* value = this;
    while (const auto* shared = std::get_if<std::shared_ptr<const ViewValue>>(&value->value_)) {
        if (!*shared) break;
        value = shared->get();
    }
    return *value;
}

const ViewValue& ViewValue::resolved() const {
    const ViewValue* value = &followed();
    while (const auto* view = value->shared_view()) value = &view->value().followed();
    return *value;
}

const SharedView* ViewValue::shared_view() const {
    const auto* view = std::get_if<std::shared_ptr<const SharedView>>(&followed().value_);
    return view ? view->get() : nullptr;
}

const ViewObject* ViewValue::object() const { return std::get_if<ViewObject>(&resolved().value_); }

namespace {

thread_local SidebarTrace* t_sidebar_trace = nullptr;

}  // namespace

SidebarTrace::SidebarTrace() : previous_(t_sidebar_trace) { t_sidebar_trace = this; }
SidebarTrace::~SidebarTrace() { t_sidebar_trace = previous_; }
SidebarTrace* SidebarTrace::current() { return t_sidebar_trace; }

namespace {

using Node = CompiledTemplate::Node;

std::string_view trim(std::string_view text) {
    constexpr std::string_view blanks = " \t\r\n\f\v";
    const auto first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(blanks);
    return text.substr(first, last - first + 1);
}

std::vector<std::string> path_of(std::string_view name) {
    std::vector<std::string> path;
    if (name == ".") return path;
    for (;;) {
        const auto dot = name.find('.');
        path.emplace_back(name.substr(0, dot));
        if (dot == std::string_view::npos) break;
        name.remove_prefix(dot + 1);
    }
    return path;
}

// "=<% %>=": the new opening and closing delimiters, neither empty nor holding a blank or '='.
bool parse_delimiters(std::string_view contents, std::string& open, std::string& close) {
    if (contents.size() < 5 || contents.back() != '=') return false;
    const auto inner = trim(contents.substr(1, contents.size() - 2));
    const auto space = inner.find_first_of(" \t");
    if (space == std::string_view::npos) return false;
    const auto second = inner.find_first_not_of(" \t", space);
    const auto first_part = inner.substr(0, space);
    const auto second_part = inner.substr(second);
    const auto valid = [](std::string_view delimiter) {
        return !delimiter.empty() && delimiter.find_first_of(" \t\r\n=") == std::string_view::npos;
    };
    if (!valid(first_part) || !valid(second_part)) return false;
    open = first_part;
    close = second_part;
    return true;
}

class Compiler {
public:
    explicit Compiler(std::string_view source) : source_(source) {}

    model::Result<std::vector<Node>> run() {
        std::vector<Node> root;
        levels_.push_back(&root);
        std::size_t at = 0;
        while (at < source_.size()) {
            if (source_.compare(at, open_.size(), open_) == 0) {
                flush_text();
                auto next = tag(at);
                if (!next) return std::unexpected(next.error());
                at = *next;
            } else if (source_[at] == '\r' || source_[at] == '\n') {
                flush_text();
                const std::size_t length =
                    source_[at] == '\r' && at + 1 < source_.size() && source_[at + 1] == '\n' ? 2
                                                                                              : 1;
                levels_.back()->push_back(
                    Node{Node::Kind::line_end, std::string(source_.substr(at, length)), {}, {}});
                at += length;
            } else {
                text_ += source_[at++];
            }
        }
        flush_text();
        if (levels_.size() > 1) {
            return fault(fmt::format("section \"{}\" is not closed", open_sections_.back().first),
                         open_sections_.back().second);
        }
        return root;
    }

private:
    model::Result<std::size_t> tag(std::size_t start) {
        std::size_t contents_start = start + open_.size();
        const bool braces = open_ == "{{" && close_ == "}}";
        const bool triple =
            braces && contents_start < source_.size() && source_[contents_start] == '{';
        if (triple) ++contents_start;
        const std::string_view closing = triple ? std::string_view("}}}") : close_;
        const auto contents_end = source_.find(closing, contents_start);
        if (contents_end == std::string_view::npos) return fault("tag not closed", start);
        const auto contents = trim(source_.substr(contents_start, contents_end - contents_start));
        const std::size_t next = contents_end + closing.size();

        auto& nodes = *levels_.back();
        if (triple) {
            nodes.push_back(Node{Node::Kind::raw_variable, {}, path_of(contents), {}});
            return next;
        }
        if (contents.empty()) {
            nodes.push_back(Node{Node::Kind::variable, {}, {std::string()}, {}});
            return next;
        }
        const std::string_view name = trim(contents.substr(1));
        switch (contents.front()) {
            case '=':
                if (!parse_delimiters(contents, open_, close_)) {
                    return fault("bad delimiter tag", start);
                }
                return next;
            case '!':
            case '>':
                return next;
            case '&':
                nodes.push_back(Node{Node::Kind::raw_variable, {}, path_of(name), {}});
                return next;
            case '#':
            case '^': {
                const auto kind =
                    contents.front() == '#' ? Node::Kind::section : Node::Kind::inverted;
                nodes.push_back(Node{kind, {}, path_of(name), {}});
                levels_.push_back(&nodes.back().children);
                open_sections_.emplace_back(std::string(name), start);
                return next;
            }
            case '/':
                if (levels_.size() == 1) {
                    return fault(fmt::format("section \"{}\" closed but never opened", name),
                                 start);
                }
                if (open_sections_.back().first != name) {
                    return fault(fmt::format("section \"{}\" closed by {{{{/{}}}}}",
                                             open_sections_.back().first, name),
                                 start);
                }
                levels_.pop_back();
                open_sections_.pop_back();
                return next;
            default:
                nodes.push_back(Node{Node::Kind::variable, {}, path_of(contents), {}});
                return next;
        }
    }

    void flush_text() {
        if (text_.empty()) return;
        levels_.back()->push_back(Node{Node::Kind::text, std::move(text_), {}, {}});
        text_.clear();
    }

    model::Error fault_error(std::string_view problem, std::size_t at) const {
        const auto line = 1 + std::count(source_.begin(),
                                         source_.begin() + static_cast<std::ptrdiff_t>(at), '\n');
        return model::Error{Error::Code::invalid_input, fmt::format("{} (line {})", problem, line)};
    }

    std::unexpected<model::Error> fault(std::string_view problem, std::size_t at) const {
        return std::unexpected(fault_error(problem, at));
    }

    std::string_view source_;
    std::string open_ = "{{";
    std::string close_ = "}}";
    std::string text_;
    std::vector<std::vector<Node>*> levels_;
    std::vector<std::pair<std::string, std::size_t>> open_sections_;
};

}  // namespace

// Walks a compiled tree, keeping the line rule: `line_start_` is where the current line began
// in `out_`, and `section_on_line_` whether a section was rendered on it.
class TemplateRenderer {
public:
    TemplateRenderer(std::string& out, std::vector<const ViewValue*>& stack,
                     const std::shared_ptr<const void>& template_nodes)
        : out_(out), stack_(stack), template_nodes_(template_nodes), line_start_(out.size()) {}

    void render(const std::vector<Node>& nodes) {
        for (const auto& node : nodes) {
            switch (node.kind) {
                case Node::Kind::text:
                    out_ += node.text;
                    break;
                case Node::Kind::line_end:
                    end_line(node.text);
                    break;
                case Node::Kind::variable:
                case Node::Kind::raw_variable:
                    if (const auto* value = lookup(node.path)) {
                        write(*value, node.kind == Node::Kind::variable);
                    }
                    break;
                case Node::Kind::section:
                    if (const auto* value = lookup(node.path)) {
                        if (const auto* shared = value->shared_view()) {
                            shared_section(node, *shared, SharedUse::section);
                        } else {
                            section(node, value->resolved());
                        }
                    }
                    break;
                case Node::Kind::inverted: {
                    const auto* value = lookup(node.path);
                    if (t_sidebar_trace != nullptr && value != nullptr &&
                        value->shared_view() != nullptr) {
                        used_elsewhere();
                    }
                    if (value == nullptr || is_false(value->resolved())) {
                        section_on_line_ = true;
                        stack_.push_back(value ? &value->resolved() : stack_.back());
                        render(node.children);
                        stack_.pop_back();
                        section_on_line_ = true;
                    }
                    break;
                }
            }
        }
    }

    // The last line, which has no line end.
    void finish() {
        if (section_on_line_ && only_blanks_since_line_start()) out_.resize(line_start_);
    }

private:
    static bool is_false(const ViewValue& value) {
        if (const auto* flag = std::get_if<bool>(&value.value_)) return !*flag;
        if (const auto* list = std::get_if<ViewList>(&value.value_)) return list->empty();
        return false;
    }

    void section(const Node& node, const ViewValue& value) {
        if (const auto* filter = std::get_if<ViewFilter>(&value.value_)) {
            std::string inner;
            TemplateRenderer nested(inner, stack_, template_nodes_);
            nested.nested_ = true;
            nested.render(node.children);
            nested.finish();
            lowest_level_ = std::min(lowest_level_, nested.lowest_level_);
            if (filter->apply != nullptr) out_ += filter->apply(filter->context, std::move(inner));
            return;
        }
        if (is_false(value)) return;
        if (const auto* list = std::get_if<ViewList>(&value.value_)) {
            for (const auto& item : *list) {
                if (const auto* shared = item.shared_view()) {
                    shared_section(node, *shared, SharedUse::list_item);
                    continue;
                }
                section_on_line_ = true;
                stack_.push_back(&item.resolved());
                render(node.children);
                stack_.pop_back();
                section_on_line_ = true;
            }
            return;
        }
        section_on_line_ = true;
        stack_.push_back(&value);
        render(node.children);
        stack_.pop_back();
        section_on_line_ = true;
    }

    // A SharedView is the value of a section (the sidebar), or one item of a list inside it
    // (one month of its archives): an item's kept bytes are part of the section around it,
    // which alone the sidebar trace follows.
    enum class SharedUse { section, list_item };

    // Renders a section over a SharedView from what it kept, or keeps what it renders.
    void shared_section(const Node& node, const SharedView& shared, SharedUse use) {
        const bool traced_here = use == SharedUse::section;
        if (out_.size() != line_start_ || nested_) {
            if (traced_here) used_elsewhere();
            section(node, shared.value().resolved());
            return;
        }
        {
            std::scoped_lock lock(shared.mutex_);
            for (const auto& kept : shared.kept_) {
                if (kept.section != &node) continue;
                const auto base = out_.size();
                out_ += kept.bytes;
                line_start_ = base + kept.line_start;
                section_on_line_ = kept.section_on_line;
                if (traced_here) traced(base);
                return;
            }
        }
        const auto base = out_.size();
        const auto outer_boundary = boundary_;
        const auto outer_lowest_level = lowest_level_;
        boundary_ = stack_.size();  // the level section() pushes the shared value at
        lowest_level_ = k_no_level;
        section(node, shared.value().resolved());
        const bool self_contained = lowest_level_ > boundary_;
        boundary_ = outer_boundary;
        lowest_level_ = std::min(outer_lowest_level, lowest_level_);
        if (!self_contained) {
            if (traced_here) used_elsewhere();
            return;
        }
        if (traced_here) traced(base);
        std::scoped_lock lock(shared.mutex_);
        shared.kept_.push_back(SharedView::Kept{template_nodes_, &node, out_.substr(base),
                                                line_start_ - base, section_on_line_});
    }

    const ViewValue* lookup(const std::vector<std::string>& path) {
        if (path.empty()) return stack_.back();
        for (auto level = stack_.rbegin(); level != stack_.rend(); ++level) {
            // A name found (or missed) below the shared section's level makes its output
            // depend on more than the shared value.
            lowest_level_ =
                std::min(lowest_level_, static_cast<std::size_t>(stack_.rend() - level));
            const ViewValue* value = *level;
            for (const auto& name : path) {
                if (t_sidebar_trace != nullptr && value->shared_view() != nullptr) {
                    used_elsewhere();
                }
                value = value->member(name);
                if (value == nullptr) break;
            }
            if (value != nullptr) return value;
        }
        return nullptr;
    }

    void write(const ViewValue& value, bool escaped) {
        const auto& resolved = value.resolved();
        std::string_view text;
        if (const auto* owned = std::get_if<std::string>(&resolved.value_)) {
            text = *owned;
        } else if (const auto* borrowed = std::get_if<std::string_view>(&resolved.value_)) {
            text = *borrowed;
        } else {
            return;
        }
        if (escaped) {
            text::append_html_escaped(out_, text);
        } else {
            out_ += text;
        }
    }

    void end_line(std::string_view line_end) {
        if (section_on_line_ && only_blanks_since_line_start()) {
            out_.resize(line_start_);
        } else {
            out_ += line_end;
        }
        line_start_ = out_.size();
        section_on_line_ = false;
    }

    bool only_blanks_since_line_start() const {
        return std::all_of(out_.begin() + static_cast<std::ptrdiff_t>(line_start_), out_.end(),
                           [](char c) { return c == ' ' || c == '\t'; });
    }

    // What the sidebar trace of this thread, if any, learns of this render.
    static void used_elsewhere() {
        if (t_sidebar_trace != nullptr) t_sidebar_trace->elsewhere = true;
    }
    // The shared section just written, from `base` to the end of the output.
    void traced(std::size_t base) const {
        if (auto* trace = t_sidebar_trace) {
            trace->writes.push_back(
                {base, out_.size() - base, section_on_line_, line_start_ == out_.size()});
        }
    }

    std::string& out_;
    std::vector<const ViewValue*>& stack_;
    const std::shared_ptr<const void>& template_nodes_;
    std::size_t line_start_;
    bool section_on_line_ = false;
    // Inside a SharedView's section: the stack levels up to `boundary_` (1 is the bottom) are
    // outside it, and `lowest_level_` is the lowest level a lookup consulted since it began:
    // its output depends on nothing outside it while that stays above the boundary. Sections
    // over SharedViews nest (a month inside the sidebar), each with its own boundary.
    static constexpr std::size_t k_no_level = std::numeric_limits<std::size_t>::max();
    std::size_t boundary_ = 0;
    std::size_t lowest_level_ = k_no_level;
    // Rendering into a filter's own string: offsets in it are not the page's.
    bool nested_ = false;
};

model::Result<CompiledTemplate> CompiledTemplate::compile(std::string_view source) {
    auto nodes = Compiler(source).run();
    if (!nodes) return std::unexpected(nodes.error());
    CompiledTemplate compiled;
    compiled.nodes_ = std::make_shared<const std::vector<Node>>(std::move(*nodes));
    return compiled;
}

void CompiledTemplate::render(const ViewValue& view, std::string& out) const {
    if (!nodes_) return;
    std::vector<const ViewValue*> stack;
    stack.reserve(8);
    stack.push_back(&view.resolved());
    const std::shared_ptr<const void> owner = nodes_;
    TemplateRenderer renderer(out, stack, owner);
    renderer.render(*nodes_);
    renderer.finish();
}

std::string CompiledTemplate::render(const ViewValue& view) const {
    std::string out;
    render(view, out);
    return out;
}

}  // namespace carnet::theme
