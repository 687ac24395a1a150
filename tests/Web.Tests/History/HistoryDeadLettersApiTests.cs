using System.Net;
using System.Net.Http.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.History;

/// <summary>GET /api/tenants/{t}/history/dead-letters shows an organisation's Admins what history refused, and only them.</summary>
public sealed class HistoryDeadLettersApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static OrderPlaced Order(string orderId, decimal price, string tenant = "acme", string store = "uk-shop") => new()
    {
        Store = new StoreRef(tenant, store),
        Channel = SalesChannel.Shopify,
        EventId = $"order-{orderId}",
        OccurredAt = WebAppFactory.Now.AddMinutes(-30),
        StoreTimeZone = "Europe/London",
        Currency = "GBP",
        OrderId = orderId,
        PlacedAt = WebAppFactory.Now.AddMinutes(-30),
        Version = WebAppFactory.Now.AddMinutes(-30),
        TotalPrice = price,
        Lines = [new OrderLine("GOLD", "Gold bar", 1, price)],
    };

    [Theory]
    [InlineData("DuckDb")]
    [InlineData("ClickHouse")]
    public async Task An_order_too_large_for_history_is_listed_for_the_organisations_admins_with_its_reason(string snapshots)
    {
        await using var app = new HistoryApp(snapshots);
        var writer = await app.Services.GetRequiredService<ActorRegistry>().GetAsync<HistoryWriter>(Ct);
        writer.Tell(new HistoryWriter.Record(Order("fine", 25m)));
        writer.Tell(new HistoryWriter.Record(Order("too-big", 100_000_000_000_000_000m)));
        writer.Tell(new HistoryWriter.Record(Order("theirs", 30m, "globex", "shop")));
        await app.FlushHistoryAsync();

        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        var body = (await admin.GetFromJsonAsync<DeadLettersBody>("/api/tenants/acme/history/dead-letters", HistoryApp.Json, Ct))!;
        var order = Assert.Single(body.Items, i => i.Kind == "order");
        Assert.Equal(("uk-shop", "too-big"), (order.StoreId, order.Key));
        Assert.All(body.Items, i => Assert.StartsWith("too-big", i.Key, StringComparison.Ordinal));
        Assert.False(string.IsNullOrWhiteSpace(order.Reason));

        var globex = app.CreateSignedInClient(OrgRole.Admin, "globex");
        Assert.Empty((await globex.GetFromJsonAsync<DeadLettersBody>("/api/tenants/globex/history/dead-letters", HistoryApp.Json, Ct))!.Items);

        using var analyst = await app.CreateSignedInClient(OrgRole.Analyst, "acme").GetAsync("/api/tenants/acme/history/dead-letters", Ct);
        using var outsider = await globex.GetAsync("/api/tenants/acme/history/dead-letters", Ct);
        using var badLimit = await admin.GetAsync("/api/tenants/acme/history/dead-letters?limit=0", Ct);
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.BadRequest), (analyst.StatusCode, badLimit.StatusCode));
        Assert.True(outsider.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"an outsider got {outsider.StatusCode}");
    }

    private sealed record DeadLetterBody(string StoreId, string Kind, string Key, string Reason, string Payload, DateTimeOffset RefusedAt);

    private sealed record DeadLettersBody(string TenantId, int Limit, DeadLetterBody[] Items);
}
