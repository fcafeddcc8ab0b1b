// The XML-RPC codec: every type of the specification read, faults for what is not XML-RPC,
// no DTD or entity read, dates in the forms clients send.
#include "api/xmlrpc.hpp"

#include <gtest/gtest.h>

namespace carnet::api::xmlrpc {
namespace {

using namespace std::chrono;

std::string call_of(std::string_view params) {
    return "<?xml version=\"1.0\"?><methodCall><methodName>demo.call</methodName><params>" +
           std::string(params) + "</params></methodCall>";
}

TEST(XmlRpcParse, ReadsEveryTypeInOrder) {
    auto call = parse_call(call_of(
        "<param><value><i4>42</i4></value></param>"
        "<param><value><int>-7</int></value></param>"
        "<param><value><boolean>1</boolean></value></param>"
        "<param><value><string>a &amp; b</string></value></param>"
        "<param><value>bare text</value></param>"
        "<param><value><double>2.5</double></value></param>"
        "<param><value><dateTime.iso8601>20171004T20:19:00</dateTime.iso8601></value></param>"
        "<param><value><base64>aGVsbG8=</base64></value></param>"
        "<param><value><array><data><value>x</value><value><int>1</int></value></data></array>"
        "</value></param>"
        "<param><value><struct><member><name>title</name><value>T</value></member>"
        "<member><name>n</name><value><i8>9</i8></value></member></struct></value></param>"));
    ASSERT_TRUE(call.has_value()) << call.error().message;
    EXPECT_EQ(call->method, "demo.call");
    ASSERT_EQ(call->params.size(), 10u);
    EXPECT_EQ(call->params[0].integer(), 42);
    EXPECT_EQ(call->params[1].integer(), -7);
    EXPECT_EQ(call->params[2].boolean(), true);
    EXPECT_EQ(*call->params[3].string(), "a & b");
    EXPECT_EQ(*call->params[4].string(), "bare text");
    EXPECT_EQ(std::get<double>(call->params[5].data), 2.5);
    EXPECT_EQ(std::get<DateTime>(call->params[6].data).instant,
              sys_days{2017y / 10 / 4} + 20h + 19min);
    EXPECT_EQ(std::get<Base64>(call->params[7].data).bytes, "hello");
    ASSERT_EQ(call->params[8].array()->size(), 2u);
    EXPECT_EQ((*call->params[8].array())[1].integer(), 1);
    EXPECT_EQ(*call->params[9].member("title")->string(), "T");
    EXPECT_EQ(call->params[9].member("n")->integer(), 9);
    EXPECT_EQ(call->params[9].member("missing"), nullptr);
}

TEST(XmlRpcParse, RefusesADtdBeforeReadingIt) {
    const std::string laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
        "<methodCall><methodName>&lol2;</methodName></methodCall>";
    auto call = parse_call(laughs);
    ASSERT_FALSE(call.has_value());
    EXPECT_EQ(call.error().code, k_parse_error);
    auto external = parse_call(
        "<?xml version=\"1.0\"?><!DOCTYPE m SYSTEM \"http://127.0.0.1/evil.dtd\">"
        "<methodCall><methodName>x</methodName></methodCall>");
    ASSERT_FALSE(external.has_value());
    EXPECT_EQ(external.error().code, k_parse_error);
}

TEST(XmlRpcParse, FaultsForWhatIsNotXmlRpc) {
    EXPECT_EQ(parse_call("<methodCall><methodName>x").error().code, k_parse_error);
    EXPECT_EQ(parse_call("<methodResponse/>").error().code, k_invalid_request);
    EXPECT_EQ(parse_call("<methodCall><params/></methodCall>").error().code, k_invalid_request);
    EXPECT_EQ(parse_call(call_of("<param><value><int>x1</int></value></param>")).error().code,
              k_invalid_request);
    EXPECT_EQ(parse_call(call_of("<param><value><base64>!!</base64></value></param>")).error().code,
              k_invalid_request);
    EXPECT_EQ(parse_call(call_of("<param><value><struct><member><value>1</value></member>"
                                 "</struct></value></param>"))
                  .error()
                  .code,
              k_invalid_request);
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "<value><array><data>";
    for (int i = 0; i < 100; ++i) deep += "</data></array></value>";
    EXPECT_EQ(parse_call(call_of("<param>" + deep + "</param>")).error().code, k_invalid_request);
}

TEST(XmlRpcDates, ReadsTheFormsClientsSend) {
    const auto at = sys_days{2017y / 10 / 4} + 20h + 19min + 5s;
    EXPECT_EQ(parse_datetime("20171004T20:19:05"), at);
    EXPECT_EQ(parse_datetime("20171004T20:19:05Z"), at);
    EXPECT_EQ(parse_datetime("2017-10-04T20:19:05"), at);
    EXPECT_EQ(parse_datetime("2017-10-04T20:19:05Z"), at);
    EXPECT_EQ(parse_datetime("2017-10-04T22:19:05+02:00"), at);
    EXPECT_EQ(parse_datetime("20171004T15:19:05-0500"), at);
    EXPECT_EQ(parse_datetime("20171004T201905"), at);
    EXPECT_EQ(parse_datetime("2017-10-04T20:19:05.250Z"), at);
    EXPECT_FALSE(parse_datetime("2017-02-30T20:19:05"));
    EXPECT_FALSE(parse_datetime("20171004"));
    EXPECT_FALSE(parse_datetime("yesterday"));
    EXPECT_EQ(format_datetime(at), "20171004T20:19:05Z");
    EXPECT_EQ(parse_datetime(format_datetime(at)), at);
}

TEST(XmlRpcWrite, ResponsesAndFaultsReadBack) {
    const Value value(Struct{{"title", Value("a <b> & c")},
                             {"list", Value(Array{Value(1), Value(true)})},
                             {"bits", Value(Base64{"hello"})},
                             {"when", Value(DateTime{sys_days{2017y / 10 / 4}})}});
    const auto xml = response_xml(value);
    EXPECT_NE(xml.find("<string>a &lt;b&gt; &amp; c</string>"), std::string::npos);
    // A response is a call's params with another root: read it back through the same reader.
    auto start = xml.find("<params>");
    auto end = xml.find("</params>") + 9;
    auto again = parse_call("<methodCall><methodName>x</methodName>" +
                            xml.substr(start, end - start) + "</methodCall>");
    ASSERT_TRUE(again.has_value()) << again.error().message;
    const auto& read = again->params.at(0);
    EXPECT_EQ(*read.member("title")->string(), "a <b> & c");
    EXPECT_EQ(std::get<Base64>(read.member("bits")->data).bytes, "hello");
    EXPECT_EQ(std::get<DateTime>(read.member("when")->data).instant, sys_days{2017y / 10 / 4});
    const auto fault = fault_xml(Fault{k_unknown_method, "no <such> method"});
    EXPECT_NE(fault.find("<name>faultCode</name><value><int>-32601</int></value>"),
              std::string::npos);
    EXPECT_NE(fault.find("no &lt;such&gt; method"), std::string::npos);
}

}  // namespace
}  // namespace carnet::api::xmlrpc
