using System.Collections.Concurrent;
using System.Net;
using System.Text;
using SalesDash.Tests.Shared;

namespace SalesDash.Connectors.Tests.Support;

/// <summary>
/// The loopback server the fakes of PayPal, Graph and Google Analytics answer from: what an answer function sees of a
/// request, what the client gets back, and what happens when a fake's answer throws.
/// </summary>
public sealed class LocalJsonServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Answer_sees_the_request_as_sent_and_the_client_gets_its_status_headers_and_json()
    {
        var seen = new ConcurrentQueue<LocalRequest>();
        await using var server = new LocalJsonServer(request =>
        {
            seen.Enqueue(request);
            return new LocalAnswer(429, """{"name":"RATE_LIMIT_REACHED"}""") { Headers = new Dictionary<string, string> { ["Retry-After"] = "7" } };
        });
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, "v1/oauth2/token?page=2&q=a%20b"))
        {
            Content = new StringContent("grant_type=client_credentials", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new("Bearer", "t0k");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("""{"name":"RATE_LIMIT_REACHED"}""", await response.Content.ReadAsStringAsync(Ct));
        var sent = Assert.Single(seen);
        Assert.Equal(("POST", "/v1/oauth2/token", "2", "a b", "Bearer t0k", "grant_type=client_credentials"),
            (sent.Method, sent.Path, sent.Query["page"], sent.Query["Q"], sent.Header("authorization"), sent.Body));
        Assert.Null(sent.Header("X-Not-Sent"));
    }

    [Fact]
    public async Task Answer_that_throws_gets_its_client_a_500_the_next_request_is_answered_and_dispose_throws_it()
    {
        var server = new LocalJsonServer(request => request.Path == "/broken" ? throw new FormatException("the fake's own bug") : new LocalAnswer(200, "{}"));
        using var http = new HttpClient();

        using var broken = await http.GetAsync(new Uri(server.BaseAddress, "broken"), Ct);
        using var next = await http.GetAsync(new Uri(server.BaseAddress, "fine"), Ct);

        Assert.Equal((HttpStatusCode.InternalServerError, HttpStatusCode.OK), (broken.StatusCode, next.StatusCode));
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () => await server.DisposeAsync());
        Assert.Equal("the fake's own bug", Assert.IsType<FormatException>(failure.InnerException).Message);
    }
}
