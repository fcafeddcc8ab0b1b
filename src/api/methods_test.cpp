// The XML-RPC methods through the API's routes, with a real SQLite store: sign-in with
// application passwords only, the throttle, roles as the admin has them, and posts kept as
// the client sent them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>

#include "api/api.hpp"
#include "api/xmlrpc.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::api {
namespace {

using namespace std::chrono;
using xmlrpc::Array;
using xmlrpc::Struct;
using xmlrpc::Value;

// A methodCall's XML for these params: written as a response, then given the call's root.
std::string call_xml(std::string_view method, const Array& params) {
    std::string out = "<?xml version=\"1.0\"?><methodCall><methodName>" + std::string(method) +
                      "</methodName><params>";
    for (const auto& param : params) {
        const auto xml = xmlrpc::response_xml(param);
        const auto start = xml.find("<param>");
        const auto end = xml.find("</param>") + 8;
        out += xml.substr(start, end - start);
    }
    return out + "</params></methodCall>";
}

struct Answer {
    int status = 0;
    std::optional<Value> value;
    std::optional<xmlrpc::Fault> fault;
};

class MethodsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::open_sqlite_store(dir_.path() / "api.db",
                                               store::OpenMode::create_if_missing, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto a = writer.blogs().create_blog({.hosts = {"a.example.org"}, .title = "Blog A"});
            if (!a) return std::unexpected(a.error());
            blog_a_ = *a;
            auto b = writer.blogs().create_blog({.hosts = {"b.example.org"}, .title = "Blog B"});
            if (!b) return std::unexpected(b.error());
            blog_b_ = *b;
            return {};
        }));
        owner_ = add_user("owner@a.example", model::Role::owner, blog_a_);
        author_ = add_user("author@a.example", model::Role::author, blog_a_);
        moderator_ = add_user("moderator@a.example", model::Role::moderator, blog_a_);
        owner_b_ = add_user("owner@b.example", model::Role::owner, blog_b_);
        for (auto [id, slot] : {std::pair{owner_, &owner_password_},
                                {author_, &author_password_},
                                {moderator_, &moderator_password_},
                                {owner_b_, &owner_b_password_}}) {
            auto made = create_app_password(*store_, id, "Tests");
            ASSERT_TRUE(made.has_value()) << made.error().message;
            *slot = *made;
        }
        auto api = Api::create(*store_, clock_, ApiOptions{.media_dir = dir_.path() / "media"});
        ASSERT_TRUE(api.has_value()) << api.error().message;
        api_ = std::move(*api);
        api_->register_routes(router_);
    }

    std::int64_t add_user(const std::string& email, model::Role role, std::int64_t blog) {
        std::int64_t id = 0;
        EXPECT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto created =
                writer.accounts().create_user({.email = email, .name = email}, "login-hash");
            if (!created) return std::unexpected(created.error());
            id = *created;
            return writer.accounts().add_membership(blog, id, role);
        }));
        return id;
    }

    Answer send_body(std::string body, std::string address = "192.0.2.1") {
        http::Request request;
        request.method = "POST";
        request.target = request.path = "/xmlrpc";
        request.host = "a.example.org";
        request.headers.emplace_back("Host", "a.example.org");
        request.remote_address = std::move(address);
        request.body = std::move(body);
        auto response = router_.dispatch(request);
        Answer answer{response.status, {}, {}};
        // The answer read back with the codec: a response's params, or a fault's struct.
        const auto fault_at = response.body.find("<fault>");
        const auto value_start = response.body.find("<value>");
        const auto value_end = response.body.rfind("</value>");
        if (value_start == std::string::npos) return answer;
        auto read =
            xmlrpc::parse_call("<methodCall><methodName>x</methodName><params><param>" +
                               response.body.substr(value_start, value_end + 8 - value_start) +
                               "</param></params></methodCall>");
        EXPECT_TRUE(read.has_value()) << response.body;
        if (!read) return answer;
        if (fault_at != std::string::npos) {
            const auto& fault = read->params.at(0);
            answer.fault = xmlrpc::Fault{static_cast<int>(*fault.member("faultCode")->integer()),
                                         *fault.member("faultString")->string()};
        } else {
            answer.value = read->params.at(0);
        }
        return answer;
    }

    Answer call(std::string_view method, const Array& params) {
        return send_body(call_xml(method, params));
    }

    // Every post of both blogs, and their generations.
    std::string posts_fingerprint() {
        std::string print;
        for (auto blog : {blog_a_, blog_b_}) {
            print += std::to_string(store_->generation(blog)) + ";";
            auto posts = store_->posts().admin_posts(blog, {.limit = 100});
            for (const auto& post : posts->posts) {
                auto full = store_->posts().find_post_by_id(blog, post.id);
                print += fmt::format("{}:{}:{}:{};", post.id, (*full)->title, (*full)->source,
                                     model::to_string((*full)->status));
            }
        }
        return print;
    }

    // Every post, password and last use: what a refused call must leave as it was.
    std::string fingerprint() {
        auto print = posts_fingerprint();
        for (auto user : {owner_, author_, moderator_, owner_b_}) {
            const auto passwords = store_->app_passwords().app_passwords_of(user);
            for (const auto& password : *passwords) {
                print += fmt::format(
                    "{}:{}:{};", user, password.name,
                    password.last_used_at ? password.last_used_at->time_since_epoch().count() : 0);
            }
        }
        return print;
    }

    std::string new_post(const std::string& email, const std::string& password, std::int64_t blog,
                         Struct content, bool publish = true) {
        auto answer =
            call("metaWeblog.newPost", {Value(std::to_string(blog)), Value(email), Value(password),
                                        Value(std::move(content)), Value(publish)});
        EXPECT_TRUE(answer.value.has_value())
            << (answer.fault ? answer.fault->message : "no answer");
        return answer.value && answer.value->string() ? *answer.value->string() : "";
    }

    carnet::testing::TempDir dir_;
    ManualClock clock_{sys_days{2026y / 3 / 1} + 12h};
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<Api> api_;
    http::Router router_;
    std::int64_t blog_a_ = 0, blog_b_ = 0;
    std::int64_t owner_ = 0, author_ = 0, moderator_ = 0, owner_b_ = 0;
    std::string owner_password_, author_password_, moderator_password_, owner_b_password_;
};

TEST_F(MethodsTest, UnknownUserWrongPasswordAndLoginPasswordGetOneFault) {
    const auto before = fingerprint();
    auto wrong = call("wp.getUsersBlogs", {Value("owner@a.example"), Value("not-it")});
    auto unknown = call("wp.getUsersBlogs", {Value("nobody@a.example"), Value(owner_password_)});
    // The account's login password is never an API password.
    auto login = call("wp.getUsersBlogs", {Value("owner@a.example"), Value("login-hash")});
    for (const auto* answer : {&wrong, &unknown, &login}) {
        ASSERT_TRUE(answer->fault.has_value());
        EXPECT_EQ(answer->fault->code, 403);
    }
    EXPECT_EQ(wrong.fault->message, unknown.fault->message);
    EXPECT_EQ(fingerprint(), before);
}

TEST_F(MethodsTest, SignInRecordsTheLastUseAndListsTheUsersBlogs) {
    clock_.advance(hours(3));
    auto answer = call("blogger.getUsersBlogs",
                       {Value(""), Value("Owner@A.example"), Value(owner_password_)});
    ASSERT_TRUE(answer.value.has_value()) << answer.fault->message;
    ASSERT_EQ(answer.value->array()->size(), 1u);
    const auto& blog = answer.value->array()->front();
    EXPECT_EQ(*blog.member("blogid")->string(), std::to_string(blog_a_));
    EXPECT_EQ(*blog.member("blogName")->string(), "Blog A");
    EXPECT_EQ(blog.member("isAdmin")->boolean(), true);
    auto passwords = store_->app_passwords().app_passwords_of(owner_);
    ASSERT_TRUE((*passwords)[0].last_used_at.has_value());
    EXPECT_EQ(*(*passwords)[0].last_used_at, clock_.now());
}

TEST_F(MethodsTest, TheLoginThrottleHoldsEveryCall) {
    for (int i = 0; i < 4; ++i) {
        call("wp.getUsersBlogs", {Value("owner@a.example"), Value("guess")});
    }
    auto right = call("wp.getUsersBlogs", {Value("owner@a.example"), Value(owner_password_)});
    ASSERT_TRUE(right.fault.has_value());
    EXPECT_EQ(right.fault->code, 403);
    EXPECT_NE(right.fault->message.find("Too many"), std::string::npos);
    clock_.advance(hours(1));
    EXPECT_TRUE(call("wp.getUsersBlogs", {Value("owner@a.example"), Value(owner_password_)})
                    .value.has_value());
}

TEST_F(MethodsTest, MulticallAndUnknownMethodsAreRefused) {
    auto multicall = call(
        "system.multicall",
        {Value(Array{
            Value(Struct{{"methodName", Value("wp.getUsersBlogs")},
                         {"params", Value(Array{Value("owner@a.example"), Value("guess")})}})})});
    ASSERT_TRUE(multicall.fault.has_value());
    EXPECT_EQ(multicall.fault->code, xmlrpc::k_unknown_method);
    auto unknown = call("wp.getComments", {});
    ASSERT_TRUE(unknown.fault.has_value());
    EXPECT_EQ(unknown.fault->code, xmlrpc::k_unknown_method);
    auto listed = call("system.listMethods", {});
    ASSERT_TRUE(listed.value.has_value());
    EXPECT_EQ(listed.value->array()->size(), 23u);
}

TEST_F(MethodsTest, PostsKeepWhatTheClientSent) {
    const auto id =
        new_post("author@a.example", author_password_, blog_a_,
                 Struct{{"title", Value("Misrata")},
                        {"description", Value("Le *tribunal* attaqué.")},
                        {"mt_text_more", Value("La suite.")},
                        {"mt_excerpt", Value("Un résumé")},
                        {"mt_keywords", Value("libye, misrata")},
                        {"mt_convert_breaks", Value("markdown")},
                        {"mt_allow_comments", Value(0)},
                        {"wp_slug", Value("attaque-misrata")},
                        {"categories", Value(Array{Value("Libye"), Value("Etat islamique")})},
                        {"dateCreated", Value(xmlrpc::DateTime{clock_.now() - hours(2)})}});
    ASSERT_FALSE(id.empty());
    auto post = store_->posts().find_post_by_id(blog_a_, std::stoll(id));
    ASSERT_TRUE(post.has_value() && post->has_value());
    EXPECT_EQ((*post)->status, model::PostStatus::published);
    EXPECT_EQ((*post)->source_format, model::SourceFormat::markdown);
    EXPECT_NE((*post)->html.find("<em>tribunal</em>"), std::string::npos);
    EXPECT_NE((*post)->html.find("La suite."), std::string::npos);
    EXPECT_EQ((*post)->slug, "attaque-misrata");
    EXPECT_EQ((*post)->excerpt, "Un résumé");
    EXPECT_FALSE((*post)->comments_open);
    EXPECT_EQ((*post)->published_at, clock_.now() - hours(2));
    ASSERT_EQ((*post)->categories.size(), 2u);
    EXPECT_EQ((*post)->categories[0].name, "Libye");
    EXPECT_EQ((*post)->categories[1].name, "Etat islamique");
    EXPECT_EQ((*post)->author_id, author_);
    auto read =
        call("metaWeblog.getPost", {Value(id), Value("author@a.example"), Value(author_password_)});
    ASSERT_TRUE(read.value.has_value());
    EXPECT_EQ(*read.value->member("description")->string(), "Le *tribunal* attaqué.");
    EXPECT_EQ(*read.value->member("mt_text_more")->string(), "La suite.");
    EXPECT_EQ(*read.value->member("mt_keywords")->string(), "libye, misrata");
    EXPECT_EQ(*read.value->member("post_status")->string(), "publish");
}

TEST_F(MethodsTest, AFutureDateSchedulesAndPublishFalseKeepsADraft) {
    const auto later =
        new_post("owner@a.example", owner_password_, blog_a_,
                 Struct{{"title", Value("Plus tard")},
                        {"description", Value("<p>x</p>")},
                        {"date_created_gmt", Value(xmlrpc::DateTime{clock_.now() + hours(24)})}});
    EXPECT_EQ((*store_->posts().find_post_by_id(blog_a_, std::stoll(later)))->status,
              model::PostStatus::scheduled);
    const auto draft = new_post("owner@a.example", owner_password_, blog_a_,
                                Struct{{"title", Value("Brouillon")}}, false);
    EXPECT_EQ((*store_->posts().find_post_by_id(blog_a_, std::stoll(draft)))->status,
              model::PostStatus::draft);
    auto published =
        call("mt.publishPost", {Value(draft), Value("owner@a.example"), Value(owner_password_)});
    ASSERT_TRUE(published.value.has_value());
    EXPECT_EQ((*store_->posts().find_post_by_id(blog_a_, std::stoll(draft)))->status,
              model::PostStatus::published);
}

TEST_F(MethodsTest, RolesAreTheAdminsAndNothingChangesWhenRefused) {
    const auto owners = new_post("owner@a.example", owner_password_, blog_a_,
                                 Struct{{"title", Value("Du propriétaire")}});
    const auto of_b = new_post("owner@b.example", owner_b_password_, blog_b_,
                               Struct{{"title", Value("Of blog B")}});
    const auto before = posts_fingerprint();
    const Struct change{{"title", Value("Changed")}};
    // An author edits only their own posts.
    auto author_edit =
        call("metaWeblog.editPost", {Value(owners), Value("author@a.example"),
                                     Value(author_password_), Value(change), Value(true)});
    ASSERT_TRUE(author_edit.fault.has_value());
    EXPECT_EQ(author_edit.fault->code, 401);
    auto author_delete =
        call("wp.deletePost", {Value(std::to_string(blog_a_)), Value("author@a.example"),
                               Value(author_password_), Value(owners)});
    ASSERT_TRUE(author_delete.fault.has_value());
    EXPECT_EQ(author_delete.fault->code, 401);
    // A moderator writes nothing.
    auto moderator_new =
        call("metaWeblog.newPost", {Value(std::to_string(blog_a_)), Value("moderator@a.example"),
                                    Value(moderator_password_), Value(change), Value(true)});
    ASSERT_TRUE(moderator_new.fault.has_value());
    EXPECT_EQ(moderator_new.fault->code, 401);
    // Another blog's post is no post of this user's.
    auto other_blog =
        call("metaWeblog.editPost", {Value(of_b), Value("owner@a.example"), Value(owner_password_),
                                     Value(change), Value(true)});
    ASSERT_TRUE(other_blog.fault.has_value());
    EXPECT_EQ(other_blog.fault->code, 404);
    auto into_other_blog =
        call("metaWeblog.newPost", {Value(std::to_string(blog_b_)), Value("owner@a.example"),
                                    Value(owner_password_), Value(change), Value(true)});
    ASSERT_TRUE(into_other_blog.fault.has_value());
    EXPECT_EQ(into_other_blog.fault->code, 401);
    auto bad_params =
        call("metaWeblog.newPost", {Value(std::to_string(blog_a_)), Value("owner@a.example"),
                                    Value(owner_password_), Value("not a struct"), Value(true)});
    ASSERT_TRUE(bad_params.fault.has_value());
    EXPECT_EQ(bad_params.fault->code, xmlrpc::k_invalid_params);
    // Sign-ins that worked recorded their use: compare posts only.
    EXPECT_EQ(posts_fingerprint(), before);
}

TEST_F(MethodsTest, ABodyOverTheLimitIsRefusedUnread) {
    const auto before = fingerprint();
    auto answer = send_body(std::string(32 * 1024 * 1024 + 1, ' '));
    EXPECT_EQ(answer.status, 413);
    ASSERT_TRUE(answer.fault.has_value());
    EXPECT_EQ(fingerprint(), before);
}

TEST_F(MethodsTest, CategoriesAreSetByIdPrimaryFirst) {
    const auto id = new_post("owner@a.example", owner_password_, blog_a_,
                             Struct{{"title", Value("T")},
                                    {"categories", Value(Array{Value("Libye"), Value("Syrte")})}});
    auto list = call("mt.getCategoryList", {Value(std::to_string(blog_a_)),
                                            Value("owner@a.example"), Value(owner_password_)});
    ASSERT_TRUE(list.value.has_value());
    ASSERT_EQ(list.value->array()->size(), 2u);
    std::map<std::string, std::string> ids;
    for (const auto& item : *list.value->array()) {
        ids[*item.member("categoryName")->string()] = *item.member("categoryId")->string();
    }
    auto set = call("mt.setPostCategories",
                    {Value(id), Value("owner@a.example"), Value(owner_password_),
                     Value(Array{Value(Struct{{"categoryId", Value(ids["Libye"])}}),
                                 Value(Struct{{"categoryId", Value(ids["Syrte"])},
                                              {"isPrimary", Value(true)}})})});
    ASSERT_TRUE(set.value.has_value()) << set.fault->message;
    auto got =
        call("mt.getPostCategories", {Value(id), Value("owner@a.example"), Value(owner_password_)});
    ASSERT_TRUE(got.value.has_value());
    ASSERT_EQ(got.value->array()->size(), 2u);
    EXPECT_EQ(*got.value->array()->at(0).member("categoryName")->string(), "Syrte");
    EXPECT_EQ(got.value->array()->at(0).member("isPrimary")->boolean(), true);
    EXPECT_EQ(*got.value->array()->at(1).member("categoryName")->string(), "Libye");
}

TEST_F(MethodsTest, WordPressMethodsWriteReadListAndDelete) {
    const auto blog = Value(std::to_string(blog_a_));
    const auto user = Value("owner@a.example");
    const auto password = Value(owner_password_);
    auto made = call(
        "wp.newPost",
        {blog, user, password,
         Value(Struct{{"post_title", Value("Syrte")},
                      {"post_content", Value("<p>Texte</p>")},
                      {"post_status", Value("publish")},
                      {"post_name", Value("syrte-2017")},
                      {"comment_status", Value("closed")},
                      {"terms_names", Value(Struct{{"category", Value(Array{Value("Libye")})},
                                                   {"post_tag", Value(Array{Value("ei")})}})}})});
    ASSERT_TRUE(made.value.has_value()) << made.fault->message;
    const auto id = *made.value->string();
    auto got = call("wp.getPost", {blog, user, password, Value(id)});
    ASSERT_TRUE(got.value.has_value()) << got.fault->message;
    EXPECT_EQ(*got.value->member("post_title")->string(), "Syrte");
    EXPECT_EQ(*got.value->member("post_name")->string(), "syrte-2017");
    EXPECT_EQ(*got.value->member("post_status")->string(), "publish");
    EXPECT_EQ(*got.value->member("comment_status")->string(), "closed");
    ASSERT_EQ(got.value->member("terms")->array()->size(), 2u);
    auto terms = call("wp.getTerms", {blog, user, password, Value("category")});
    ASSERT_TRUE(terms.value.has_value());
    ASSERT_EQ(terms.value->array()->size(), 1u);
    const auto term_id = *terms.value->array()->at(0).member("term_id")->string();
    // The tags MarsEdit offers to pick from.
    auto tags = call("wp.getTerms", {blog, user, password, Value("post_tag")});
    ASSERT_TRUE(tags.value.has_value()) << tags.fault->message;
    ASSERT_EQ(tags.value->array()->size(), 1u);
    EXPECT_EQ(*tags.value->array()->at(0).member("name")->string(), "ei");
    EXPECT_EQ(*tags.value->array()->at(0).member("taxonomy")->string(), "post_tag");
    auto edited =
        call("wp.editPost",
             {blog, user, password, Value(id),
              Value(Struct{{"post_title", Value("Syrte, suite")},
                           {"post_status", Value("draft")},
                           {"terms", Value(Struct{{"category", Value(Array{Value(term_id)})}})}})});
    ASSERT_TRUE(edited.value.has_value()) << edited.fault->message;
    auto post = store_->posts().find_post_by_id(blog_a_, std::stoll(id));
    EXPECT_EQ((*post)->title, "Syrte, suite");
    EXPECT_EQ((*post)->status, model::PostStatus::draft);
    auto listed = call("wp.getPosts", {blog, user, password, Value(Struct{{"number", Value(5)}})});
    ASSERT_TRUE(listed.value.has_value());
    ASSERT_EQ(listed.value->array()->size(), 1u);
    // Another blog's id with this post: not found there.
    auto elsewhere =
        call("wp.getPost", {Value(std::to_string(blog_b_)), user, password, Value(id)});
    ASSERT_TRUE(elsewhere.fault.has_value());
    EXPECT_EQ(elsewhere.fault->code, 404);
    auto deleted = call("wp.deletePost", {blog, user, password, Value(id)});
    ASSERT_TRUE(deleted.value.has_value());
    EXPECT_FALSE(store_->posts().find_post_by_id(blog_a_, std::stoll(id))->has_value());
}

TEST_F(MethodsTest, AnUploadThatIsNoImageIsRefusedAndStoresNothing) {
    auto answer =
        call("wp.uploadFile",
             {Value(std::to_string(blog_a_)), Value("owner@a.example"), Value(owner_password_),
              Value(Struct{{"name", Value("x.png")},
                           {"type", Value("image/png")},
                           {"bits", Value(xmlrpc::Base64{"<svg onload=alert(1)>"})}})});
    ASSERT_TRUE(answer.fault.has_value());
    EXPECT_EQ(answer.fault->code, xmlrpc::k_invalid_params);
    EXPECT_TRUE(store_->media().media(blog_a_, 0, 10)->empty());
    EXPECT_TRUE(!std::filesystem::exists(dir_.path() / "media") ||
                std::filesystem::is_empty(dir_.path() / "media"));
}

}  // namespace
}  // namespace carnet::api
