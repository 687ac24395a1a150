using System.Net;
using System.Text.Json.Nodes;
using SalesDash.Connectors.Amazon;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.Tests.Support;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Tests.Pollers;

/// <summary>
/// getOrders and getOrderItems answer with Amazon's own sandbox examples (shared/fixtures/amazon-spapi); the token
/// endpoint answers as Login with Amazon documents ("access_token", "expires_in"); errors use the SP-API error list shape.
/// </summary>
public sealed class AmazonOrdersPollerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);
    private static readonly Uri Endpoint = new("https://sellingpartnerapi-na.amazon.com");
    private static readonly Uri TokenEndpoint = new("https://api.amazon.com/auth/o2/token");

    private static readonly JsonArray OrdersExamples = JsonNode.Parse(File.ReadAllText(SharedFiles.Shared("fixtures", "amazon-spapi", "getOrders_sandbox_static_examples.json")))!.AsArray();
    private static readonly JsonArray ItemsExamples = JsonNode.Parse(File.ReadAllText(SharedFiles.Shared("fixtures", "amazon-spapi", "getOrderItems_sandbox_static_examples.json")))!.AsArray();

    /// <summary>First page: the example with a NextToken (one Pending order). Second page: the two Unshipped orders.</summary>
    private static string FirstPage => OrdersExamples[1]!["response"]!.ToJsonString();

    private static string SecondPage => OrdersExamples[0]!["response"]!.ToJsonString();

    private static string Items => ItemsExamples[0]!["response"]!.ToJsonString();

    private const string ExpiredToken = """{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.","details":"The access token you provided has expired."}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static bool IsOrders(SeenRequest r) => r.Uri.AbsolutePath == "/orders/v0/orders";

    private static bool IsItems(SeenRequest r) => r.Uri.AbsolutePath.EndsWith("/orderItems", StringComparison.Ordinal);

    private static bool IsToken(SeenRequest r) => r.Uri == TokenEndpoint;

    private static FakeChannel Amazon() => new FakeChannel()
        .On(IsToken, _ => FakeChannel.Json("""{"access_token":"Atza|first","refresh_token":"Atzr|r","token_type":"bearer","expires_in":3600}"""))
        .On(IsItems, _ => FakeChannel.Json(Items));

    private static AmazonOrdersPoller Poller(FakeChannel channel, ICursorStore cursors, TimeProvider clock) =>
        new(new ChannelHttp(channel.Client(), clock),
            new RefreshTokenSource(channel.Client(), TokenEndpoint, "amzn1.application-oa2-client.1", "client-secret", "Atzr|refresh", clock),
            new AmazonSettings(Endpoint, ["ATVPDKIKX0DER"], new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)),
            TestStores.UsShop, cursors, clock);

    [Fact]
    public async Task Pages_are_followed_by_next_token_and_the_cursor_moves_to_the_newest_update()
    {
        var channel = Amazon().On(r => IsOrders(r) && !r.Uri.Query.Contains("NextToken", StringComparison.Ordinal), _ => FakeChannel.Json(FirstPage))
            .On(r => IsOrders(r) && r.Uri.Query.Contains("NextToken=2YgYW55IGNhcm5hbCBwbGVhc3VyZS4", StringComparison.Ordinal), _ => FakeChannel.Json(SecondPage));
        var cursors = new MemoryCursors();
        var sink = new CollectingSink();

        var outcome = await Poller(channel, cursors, new SteppingClock(Now)).PollAsync(sink, Ct);

        // The Pending order has no money yet; the two Unshipped ones are counted with their items.
        Assert.Equal(2, outcome.EventsPublished);
        Assert.Equal(2, outcome.Pages);
        var orders = sink.Events.Cast<OrderUpdated>().ToList();
        Assert.Equal(["amazon:902-1845936-5435065", "amazon:902-8745147-1934268"], orders.Select(o => o.OrderId));
        Assert.All(orders, o => Assert.Equal(11.01m, o.TotalPrice));
        Assert.All(orders, o => Assert.Equal(1, o.Lines.Sum(l => l.Quantity)));
        Assert.Equal(new DateTimeOffset(1970, 1, 19, 3, 58, 30, TimeSpan.Zero), orders[0].PlacedAt);
        Assert.Contains("LastUpdatedAfter=2026-11-01T00%3A00%3A00Z", channel.Seen.First(IsOrders).Uri.Query, StringComparison.Ordinal);
        Assert.All(channel.Seen.Where(IsOrders), r => Assert.Equal("Atza|first", r.Headers["x-amz-access-token"]));

        // The next poll starts from the newest LastUpdateDate seen (the pending order's), not from the beginning.
        var next = Amazon().On(IsOrders, _ => FakeChannel.Json("""{"payload":{"Orders":[]}}"""));
        await Poller(next, cursors, new SteppingClock(Now)).PollAsync(new CollectingSink(), Ct);
        Assert.Contains("LastUpdatedAfter=2017-01-20T19%3A49%3A35Z", next.Seen.First(IsOrders).Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restart_resumes_at_the_page_whose_events_were_not_stored()
    {
        var cursors = new MemoryCursors();
        var channel = Amazon().On(r => IsOrders(r) && !r.Uri.Query.Contains("NextToken", StringComparison.Ordinal), _ => FakeChannel.Json(FirstPage))
            .On(IsOrders, _ => FakeChannel.Json(SecondPage));
        var failing = new CollectingSink { FailAfterBatches = 0 };

        await Assert.ThrowsAsync<TimeoutException>(() => Poller(channel, cursors, new SteppingClock(Now)).PollAsync(failing, Ct));

        // A new poller (as after a restart) asks for the second page by its NextToken, not for the first page again.
        var resumed = Amazon().On(IsOrders, _ => FakeChannel.Json(SecondPage));
        var sink = new CollectingSink();
        var outcome = await Poller(resumed, cursors, new SteppingClock(Now)).PollAsync(sink, Ct);

        Assert.Equal(2, outcome.EventsPublished);
        var first = resumed.Seen.First(IsOrders);
        Assert.Contains("NextToken=2YgYW55IGNhcm5hbCBwbGVhc3VyZS4", first.Uri.Query, StringComparison.Ordinal);
        Assert.DoesNotContain("LastUpdatedAfter", first.Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_requests_waits_as_long_as_retry_after_says_then_reads_the_page()
    {
        var clock = new SteppingClock(Now);
        var channel = Amazon().On(IsOrders, _ => FakeChannel.Throttled("7", """{"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota for the requested resource."}]}"""),
            _ => FakeChannel.Json(SecondPage));

        var outcome = await Poller(channel, new MemoryCursors(), clock).PollAsync(new CollectingSink(), Ct);

        Assert.Equal(2, outcome.EventsPublished);
        Assert.Equal([TimeSpan.FromSeconds(7)], clock.Waits);
    }

    [Fact]
    public async Task A_retry_after_longer_than_a_poll_should_wait_reschedules_instead_of_blocking()
    {
        var clock = new SteppingClock(Now);
        var channel = Amazon().On(IsOrders, _ => FakeChannel.Throttled("3600"));
        var cursors = new MemoryCursors();

        var limited = await Assert.ThrowsAsync<ChannelRateLimitedException>(() => Poller(channel, cursors, clock).PollAsync(new CollectingSink(), Ct));

        Assert.Equal(Now.AddHours(1), limited.RetryAt);
        Assert.Empty(clock.Waits);
        Assert.Empty(cursors.Saved);
    }

    [Fact]
    public async Task Expired_access_token_is_renewed_once_and_the_page_read_with_the_new_one()
    {
        var channel = new FakeChannel()
            .On(IsToken, _ => FakeChannel.Json("""{"access_token":"Atza|old","expires_in":3600}"""), _ => FakeChannel.Json("""{"access_token":"Atza|new","expires_in":3600}"""))
            .On(IsItems, _ => FakeChannel.Json(Items))
            .On(IsOrders, _ => FakeChannel.Json(ExpiredToken, HttpStatusCode.Forbidden), _ => FakeChannel.Json(SecondPage));

        var outcome = await Poller(channel, new MemoryCursors(), new SteppingClock(Now)).PollAsync(new CollectingSink(), Ct);

        Assert.Equal(2, outcome.EventsPublished);
        Assert.Equal(["Atza|old", "Atza|new"], channel.Seen.Where(IsOrders).Select(r => r.Headers["x-amz-access-token"]).Take(2));
    }

    [Fact]
    public async Task Revoked_refresh_token_is_a_credentials_error_for_a_person()
    {
        var channel = new FakeChannel()
            .On(IsToken, _ => FakeChannel.Json("""{"access_token":"Atza|old","expires_in":3600}"""),
                _ => FakeChannel.Json("""{"error_description":"The request has an invalid grant parameter : refresh_token","error":"invalid_grant"}""", HttpStatusCode.BadRequest))
            .On(IsOrders, _ => FakeChannel.Json(ExpiredToken, HttpStatusCode.Forbidden));
        var cursors = new MemoryCursors();

        var error = await Assert.ThrowsAsync<ChannelAuthException>(() => Poller(channel, cursors, new SteppingClock(Now)).PollAsync(new CollectingSink(), Ct));

        Assert.Contains("invalid_grant", error.Message, StringComparison.Ordinal);
        Assert.Empty(cursors.Saved);
    }

    [Fact]
    public async Task Malformed_answers_fail_the_poll_without_moving_the_cursor()
    {
        var html = Amazon().On(IsOrders, _ => FakeChannel.Json("<html><body>Service Unavailable</body></html>"));
        var badOrder = Amazon().On(IsOrders, _ => FakeChannel.Json("""{"payload":{"Orders":[{"AmazonOrderId":"1","OrderStatus":"Shipped","PurchaseDate":"yesterday","LastUpdateDate":"2026-11-25T10:00:00Z"}]}}"""));
        var cursors = new MemoryCursors();

        var notJson = await Assert.ThrowsAsync<ChannelResponseException>(() => Poller(html, cursors, new SteppingClock(Now)).PollAsync(new CollectingSink(), Ct));
        var unreadable = await Assert.ThrowsAsync<ChannelResponseException>(() => Poller(badOrder, cursors, new SteppingClock(Now)).PollAsync(new CollectingSink(), Ct));

        Assert.Contains("not JSON", notJson.Message, StringComparison.Ordinal);
        Assert.Contains("PurchaseDate", unreadable.Message, StringComparison.Ordinal);
        Assert.Empty(cursors.Saved);
    }
}
