#include <gtest/gtest.h>

#include <string>

#include "http/http.hpp"

namespace carnet::http {
namespace {

Request form_request(std::string content_type, std::string body) {
    Request request;
    request.method = "POST";
    if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
    request.body = std::move(body);
    return request;
}

Request urlencoded(std::string body) {
    return form_request("application/x-www-form-urlencoded", std::move(body));
}

constexpr std::string_view k_boundary = "----carnetBoundary7MA4YWxk";

Request multipart(std::string body, std::string boundary = std::string(k_boundary)) {
    return form_request("multipart/form-data; boundary=" + boundary, std::move(body));
}

// One part as a browser writes it, with its opening delimiter.
std::string part(std::string_view disposition, std::string_view content,
                 std::string_view content_type = {}) {
    std::string text = "--" + std::string(k_boundary) +
                       "\r\nContent-Disposition: " + std::string(disposition) + "\r\n";
    if (!content_type.empty()) text += "Content-Type: " + std::string(content_type) + "\r\n";
    return text + "\r\n" + std::string(content) + "\r\n";
}

std::string closing() { return "--" + std::string(k_boundary) + "--\r\n"; }

// The error message, or "" when parsing succeeded, so that a failing check shows it.
std::string failure(const Result<Form>& form) { return form ? "" : form.error().message; }

void expect_invalid(const Result<Form>& form, std::string_view mentions) {
    ASSERT_FALSE(form) << "parsed, but should not have";
    EXPECT_EQ(form.error().code, Error::Code::invalid_input);
    EXPECT_NE(form.error().message.find(mentions), std::string::npos) << form.error().message;
}

TEST(UrlEncodedForm, DecodesPlusAndPercentEscapes) {
    auto form = parse_form(urlencoded("title=Etat+islamique&body=caf%C3%A9+%26+th%C3%A9%2B1"));
    ASSERT_TRUE(form) << failure(form);
    EXPECT_EQ(form->get("title"), "Etat islamique");
    EXPECT_EQ(form->get("body"), "caf\xC3\xA9 & th\xC3\xA9+1");
    EXPECT_EQ(form->get("missing"), std::nullopt);
    EXPECT_TRUE(form->files.empty());
}

TEST(UrlEncodedForm, KeepsFieldsInOrderWithRepeatedNames) {
    auto form = parse_form(urlencoded("category=libye&title=t&category=syrie&category=misrata"));
    ASSERT_TRUE(form) << failure(form);
    ASSERT_EQ(form->fields.size(), 4u);
    EXPECT_EQ(form->fields[1].name, "title");
    EXPECT_EQ(form->get("category"), "libye");
    EXPECT_EQ(form->all("category"), (std::vector<std::string>{"libye", "syrie", "misrata"}));
    EXPECT_TRUE(form->all("none").empty());
}

TEST(UrlEncodedForm, AcceptsEmptyValuesNamesWithoutValueAndStrayAmpersands) {
    auto form = parse_form(urlencoded("&a=&&b&c=1&"));
    ASSERT_TRUE(form) << failure(form);
    ASSERT_EQ(form->fields.size(), 3u);
    EXPECT_EQ(form->get("a"), "");
    EXPECT_EQ(form->get("b"), "");
    EXPECT_EQ(form->get("c"), "1");
}

TEST(UrlEncodedForm, AcceptsRawUtf8AndCharsetParameter) {
    auto form = parse_form(
        form_request("Application/X-WWW-Form-Urlencoded; charset=UTF-8", "t=caf\xC3\xA9 noir"));
    ASSERT_TRUE(form) << failure(form);
    EXPECT_EQ(form->get("t"), "caf\xC3\xA9 noir");
}

TEST(UrlEncodedForm, RefusesInvalidPercentEscapes) {
    expect_invalid(parse_form(urlencoded("a=1&title=%zz")), "title");
    expect_invalid(parse_form(urlencoded("a=%4")), "percent");
    expect_invalid(parse_form(urlencoded("a=%")), "percent");
    expect_invalid(parse_form(urlencoded("na%ZZme=1")), "name");
}

TEST(UrlEncodedForm, RefusesInvalidUtf8) {
    expect_invalid(parse_form(urlencoded("t=%C3")), "UTF-8");
    expect_invalid(parse_form(urlencoded("t=%FF%FE")), "UTF-8");
    expect_invalid(parse_form(urlencoded("t=%C0%AF")), "UTF-8");        // overlong '/'
    expect_invalid(parse_form(urlencoded("t=%ED%A0%80")), "UTF-8");     // a surrogate
    expect_invalid(parse_form(urlencoded("t=%F4%90%80%80")), "UTF-8");  // past U+10FFFF
    expect_invalid(parse_form(urlencoded("t=\xC3(")), "UTF-8");
    expect_invalid(parse_form(urlencoded("%C3=1")), "UTF-8");
    auto form = parse_form(urlencoded("t=%F0%9F%98%80"));
    ASSERT_TRUE(form) << failure(form);
    EXPECT_EQ(form->get("t"), "\xF0\x9F\x98\x80");
}

TEST(UrlEncodedForm, RefusesMoreFieldsThanTheLimit) {
    EXPECT_TRUE(parse_form(urlencoded("a=1&b=2&c=3"), FormLimits{.max_fields = 3}));
    expect_invalid(parse_form(urlencoded("a=1&b=2&c=3&d=4"), FormLimits{.max_fields = 3}),
                   "more than 3 fields");
}

TEST(Form, EmptyRequestIsAnEmptyForm) {
    auto form = parse_form(form_request("", ""));
    ASSERT_TRUE(form) << failure(form);
    EXPECT_TRUE(form->fields.empty());
    auto empty_body = parse_form(urlencoded(""));
    ASSERT_TRUE(empty_body) << failure(empty_body);
    EXPECT_TRUE(empty_body->fields.empty());
}

TEST(Form, RefusesOtherContentTypes) {
    expect_invalid(parse_form(form_request("", "a=1")), "no Content-Type");
    expect_invalid(parse_form(form_request("application/json", "{}")), "application/json");
    expect_invalid(parse_form(form_request("text/plain", "a=1")), "text/plain");
}

TEST(MultipartForm, ReadsFieldsAndFiles) {
    constexpr char k_png_start[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR--";
    std::string image(k_png_start, sizeof k_png_start - 1);
    image += "\r\n--not the boundary\r\n";
    auto form = parse_form(multipart(
        part("form-data; name=\"title\"", "Etat islamique \xC3\xA0 Syrte") +
        part("form-data; name=\"category\"", "libye") + part("form-data; name=\"category\"", "") +
        part("form-data; name=\"image\"; filename=\"carte de Syrte.png\"", image, "image/png") +
        part("form-data; name=\"body\"", "line one\r\nline two\r\n") + closing()));
    ASSERT_TRUE(form) << failure(form);
    ASSERT_EQ(form->fields.size(), 4u);
    EXPECT_EQ(form->get("title"), "Etat islamique \xC3\xA0 Syrte");
    EXPECT_EQ(form->all("category"), (std::vector<std::string>{"libye", ""}));
    EXPECT_EQ(form->get("body"), "line one\r\nline two\r\n");
    EXPECT_EQ(form->get("image"), std::nullopt);
    ASSERT_EQ(form->files.size(), 1u);
    const UploadedFile* file = form->file("image");
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(file->field, "image");
    EXPECT_EQ(file->file_name, "carte de Syrte.png");
    EXPECT_EQ(file->content_type, "image/png");
    EXPECT_EQ(file->data, image);
    EXPECT_EQ(form->file("title"), nullptr);
}

TEST(MultipartForm, KeepsEveryByteOfBinaryFiles) {
    std::string data;
    for (int round = 0; round < 4; ++round) {
        for (int byte = 0; byte < 256; ++byte) data += static_cast<char>(byte);
    }
    auto form = parse_form(multipart(
        part("form-data; name=\"f\"; filename=\"all.bin\"", data, "application/octet-stream") +
        closing()));
    ASSERT_TRUE(form) << failure(form);
    ASSERT_EQ(form->files.size(), 1u);
    EXPECT_EQ(form->files[0].data, data);
}

TEST(MultipartForm, ReadsQuotedBoundaryPreambleEpilogueAndPadding) {
    std::string body = "This is the preamble.\r\n--" + std::string(k_boundary) +
                       " \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n" +
                       closing() + "this epilogue is ignored\r\n--" + std::string(k_boundary);
    auto form = parse_form(form_request(
        "multipart/form-data; charset=utf-8; boundary=\"" + std::string(k_boundary) + "\"", body));
    ASSERT_TRUE(form) << failure(form);
    ASSERT_EQ(form->fields.size(), 1u);
    EXPECT_EQ(form->get("a"), "1");
}

TEST(MultipartForm, ReadsBoundaryWithSpecialCharactersWhenQuoted) {
    std::string boundary = "a'()+_,-./:=? b";
    std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n" +
                       "y\r\n--" + boundary + "--";
    auto form =
        parse_form(form_request("multipart/form-data; boundary=\"" + boundary + "\"", body));
    ASSERT_TRUE(form) << failure(form);
    EXPECT_EQ(form->get("x"), "y");
}

TEST(MultipartForm, ReadsCaseInsensitiveHeadersAndParameters) {
    std::string body = "--" + std::string(k_boundary) +
                       "\r\ncontent-disposition: Form-Data; NAME=plain; FileName=\"a.txt\"\r\n"
                       "CONTENT-TYPE:text/plain\r\nContent-Transfer-Encoding: binary\r\n\r\n"
                       "hello\r\n" +
                       closing();
    auto form =
        parse_form(form_request("Multipart/Form-Data; Boundary=" + std::string(k_boundary), body));
    ASSERT_TRUE(form) << failure(form);
    ASSERT_EQ(form->files.size(), 1u);
    EXPECT_EQ(form->files[0].field, "plain");
    EXPECT_EQ(form->files[0].file_name, "a.txt");
    EXPECT_EQ(form->files[0].content_type, "text/plain");
    EXPECT_EQ(form->files[0].data, "hello");
}

TEST(MultipartForm, PrefersExtendedFileName) {
    auto form = parse_form(multipart(
        part("form-data; name=\"f\"; filename=\"fallback.txt\"; "
             "filename*=UTF-8''caf%C3%A9%20cr%C3%A8me.txt",
             "x") +
        part("form-data; name=\"g\"; filename*=iso-8859-1'fr'caf%E9.txt", "y") + closing()));
    ASSERT_TRUE(form) << failure(form);
    ASSERT_EQ(form->files.size(), 2u);
    EXPECT_EQ(form->files[0].file_name, "caf\xC3\xA9 cr\xC3\xA8me.txt");
    EXPECT_EQ(form->files[1].file_name, "caf\xC3\xA9.txt");
}

TEST(MultipartForm, KeepsFileNamesAsSent) {
    auto form = parse_form(
        multipart(part("form-data; name=\"f\"; filename=\"../../etc/passwd\"", "x") +
                  part("form-data; name=\"g\"; filename=\"C:\\Users\\a.jpg\"", "y") +
                  part("form-data; name=\"h\"; filename=\"say \\\"hi\\\".txt\"", "z") + closing()));
    ASSERT_TRUE(form) << failure(form);
    ASSERT_EQ(form->files.size(), 3u);
    EXPECT_EQ(form->files[0].file_name, "../../etc/passwd");
    EXPECT_EQ(form->files[1].file_name, "C:\\Users\\a.jpg");
    EXPECT_EQ(form->files[2].file_name, "say \"hi\".txt");
}

TEST(MultipartForm, EmptyFileInputIsAFileWithoutNameOrData) {
    auto form = parse_form(
        multipart(part("form-data; name=\"image\"; filename=\"\"", "", "application/octet-stream") +
                  closing()));
    ASSERT_TRUE(form) << failure(form);
    ASSERT_EQ(form->files.size(), 1u);
    EXPECT_EQ(form->files[0].file_name, "");
    EXPECT_TRUE(form->files[0].data.empty());
    EXPECT_TRUE(form->fields.empty());
}

TEST(MultipartForm, AcceptsAnEmptyForm) {
    auto form = parse_form(multipart(closing()));
    ASSERT_TRUE(form) << failure(form);
    EXPECT_TRUE(form->fields.empty());
    EXPECT_TRUE(form->files.empty());
}

TEST(MultipartForm, RefusesMissingOrBadBoundary) {
    expect_invalid(parse_form(form_request("multipart/form-data", closing())), "boundary");
    expect_invalid(parse_form(form_request("multipart/form-data; boundary=", closing())),
                   "boundary");
    expect_invalid(parse_form(form_request("multipart/form-data; boundary=" + std::string(71, 'x'),
                                           closing())),
                   "boundary");
    expect_invalid(parse_form(form_request("multipart/form-data; boundary=\"abc", closing())),
                   "quote");
    expect_invalid(parse_form(multipart(part("form-data; name=\"a\"", "1") + closing(), "other")),
                   "boundary");
}

TEST(MultipartForm, RefusesTruncatedBodies) {
    std::string whole = part("form-data; name=\"a\"", "1") +
                        part("form-data; name=\"f\"; filename=\"x.bin\"", "0123456789") + closing();
    // Every prefix of a valid body either fails cleanly or, once the last part's closing
    // delimiter is there, succeeds: never a crash, never a read past the end.
    for (std::size_t size = 0; size < whole.size(); ++size) {
        auto form = parse_form(multipart(whole.substr(0, size)));
        if (form) {
            EXPECT_EQ(form->get("a"), "1");
            EXPECT_EQ(form->files.size(), 1u);
            EXPECT_EQ(form->files[0].data, "0123456789");
        } else {
            EXPECT_EQ(form.error().code, Error::Code::invalid_input);
        }
    }
    expect_invalid(parse_form(multipart(part("form-data; name=\"a\"", "1"))), "does not end");
    expect_invalid(parse_form(multipart("--" + std::string(k_boundary) +
                                        "\r\nContent-Disposition: form-data; name=\"a\"")),
                   "headers");
}

TEST(MultipartForm, RefusesMalformedParts) {
    expect_invalid(parse_form(multipart(part("attachment; name=\"a\"", "1") + closing())),
                   "form-data");
    expect_invalid(parse_form(multipart(part("form-data; filename=\"a.txt\"", "1") + closing())),
                   "no name");
    expect_invalid(
        parse_form(multipart("--" + std::string(k_boundary) + "\r\n\r\nx\r\n" + closing())),
        "Content-Disposition");
    expect_invalid(
        parse_form(multipart("--" + std::string(k_boundary) +
                             "\r\nContent-Disposition form-data\r\n\r\nx\r\n" + closing())),
        "':'");
    expect_invalid(
        parse_form(multipart("--" + std::string(k_boundary) + "garbage\r\n" + closing())),
        "boundary line");
    expect_invalid(
        parse_form(multipart(part("form-data; name=\"a\"; name=\"b\"", "1") + closing())), "twice");
    expect_invalid(parse_form(multipart(part("form-data; name=\"a", "1") + closing())), "quote");
    expect_invalid(parse_form(multipart(part("form-data; name", "1") + closing())), "parameter");
    expect_invalid(parse_form(multipart("--" + std::string(k_boundary) +
                                        "\r\nContent-Disposition: form-data; name=\"a\"\r\n"
                                        "Content-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n" +
                                        closing())),
                   "two Content-Disposition");
    expect_invalid(
        parse_form(multipart(part("form-data; name=\"f\"; filename*=UTF-8''%ZZ", "x") + closing())),
        "filename*");
    expect_invalid(
        parse_form(multipart(part("form-data; name=\"f\"; filename*=KOI8-R''x", "x") + closing())),
        "KOI8-R");
    expect_invalid(
        parse_form(multipart(part("form-data; name=\"f\"; filename*=x", "x") + closing())),
        "filename*");
}

TEST(MultipartForm, RefusesInvalidUtf8InFieldsButNotInFiles) {
    expect_invalid(parse_form(multipart(part("form-data; name=\"a\"", "\xFF") + closing())),
                   "UTF-8");
    expect_invalid(parse_form(multipart(part("form-data; name=\"\xFF\"", "1") + closing())),
                   "UTF-8");
    expect_invalid(parse_form(multipart(part("form-data; name=\"f\"; filename=\"\xFF.txt\"", "x") +
                                        closing())),
                   "UTF-8");
    auto form = parse_form(
        multipart(part("form-data; name=\"f\"; filename=\"a.bin\"", "\xFF\xFE") + closing()));
    ASSERT_TRUE(form) << failure(form);
    EXPECT_EQ(form->files[0].data, "\xFF\xFE");
}

TEST(MultipartForm, RefusesMorePartsThanTheLimits) {
    std::string three_fields = part("form-data; name=\"a\"", "1") +
                               part("form-data; name=\"b\"", "2") +
                               part("form-data; name=\"c\"", "3");
    std::string two_files = part("form-data; name=\"f\"; filename=\"1\"", "x") +
                            part("form-data; name=\"f\"; filename=\"2\"", "y");
    EXPECT_TRUE(parse_form(multipart(three_fields + two_files + closing()),
                           FormLimits{.max_fields = 3, .max_files = 2}));
    expect_invalid(parse_form(multipart(three_fields + two_files + closing()),
                              FormLimits{.max_fields = 2, .max_files = 2}),
                   "more than 2 fields");
    expect_invalid(parse_form(multipart(three_fields + two_files + closing()),
                              FormLimits{.max_fields = 3, .max_files = 1}),
                   "more than 1 files");
}

TEST(MultipartForm, SurvivesHostileBodies) {
    const std::string delimiter = "--" + std::string(k_boundary);
    for (std::string body :
         {std::string(), std::string("--"), delimiter, delimiter + "\r", delimiter + "\r\n",
          delimiter + "\r\n\r\n", delimiter + "\r\n\r\n\r\n" + delimiter, delimiter + "-",
          delimiter + "\r\n" + delimiter + "--", std::string(1000, '-'),
          "\r\n" + delimiter + "\r\n",
          delimiter + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r" + delimiter}) {
        auto form = parse_form(multipart(body));
        if (!form) {
            EXPECT_EQ(form.error().code, Error::Code::invalid_input) << body;
        }
    }
}

}  // namespace
}  // namespace carnet::http
