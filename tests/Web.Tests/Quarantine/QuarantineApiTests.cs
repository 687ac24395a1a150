using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using SalesDash.Web.Identity;
using SalesDash.Web.Quarantine;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Quarantine;

/// <summary>The quarantine an Admin sees: list, retry after the fix, discard; nobody below Admin.</summary>
public sealed class QuarantineApiTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private const string Base = "/api/tenants/acme/stores/us-shop/quarantine";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What a foreign Kafka producer could hand the entity: an order dated two hours ahead of the clock.</summary>
    private async Task<IngestOutcome> RecordPastTheGuardAsync(string orderId, DateTimeOffset at, decimal total)
    {
        var region = await app.Services.GetRequiredService<IRequiredActor<TenantStoreRegion>>().GetAsync(Ct);
        var order = new OrderPlaced
        {
            Store = new StoreRef("acme", "us-shop"), Channel = SalesChannel.Shopify, EventId = "evt-" + orderId, OccurredAt = at,
            StoreTimeZone = "America/New_York", Currency = "USD", OrderId = orderId, PlacedAt = at, Version = at, TotalPrice = total,
            Lines = [new OrderLine("SKU", "Item", 1, total)],
        };
        return (await region.Ask<TenantStore.Recorded>(new TenantStore.Record(order), TimeSpan.FromSeconds(30), Ct)).Outcome;
    }

    [Fact]
    public async Task Admins_list_retry_after_the_fix_and_discard_while_viewers_are_refused()
    {
        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        var viewer = app.CreateSignedInClient(OrgRole.Viewer, "acme");
        Assert.Equal(IngestOutcome.Quarantined, await RecordPastTheGuardAsync("q-1", WebAppFactory.Now.AddHours(2), 80m));
        Assert.Equal(IngestOutcome.Quarantined, await RecordPastTheGuardAsync("q-2", WebAppFactory.Now.AddHours(2), 5m));

        using var refused = await viewer.GetAsync(Base, Ct);
        var listed = (await admin.GetFromJsonAsync<List<QuarantineEntryView>>(Base, Ct))!;

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(["evt-q-1", "evt-q-2"], listed.Select(e => e.EventId));
        Assert.All(listed, e => Assert.Equal(("occurredAt", "OrderPlaced"), (e.Field, e.Kind)));
        Assert.Contains("\"OrderId\":\"q-1\"", listed[0].Payload, StringComparison.Ordinal);

        // Still ahead of the clock: 422 naming the field, and the entry stays.
        using var tooSoon = await admin.PostAsync($"{Base}/{listed[0].Id}/retry", null, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooSoon.StatusCode);
        Assert.Equal("occurredAt", (string?)(await tooSoon.Content.ReadFromJsonAsync<JsonObject>(Ct))!["field"]);

        // The fix: three hours on, the first order is no longer in the future; the second is thrown away.
        app.Clock.Advance(TimeSpan.FromHours(3));
        using var retried = await admin.PostAsync($"{Base}/{listed[0].Id}/retry", null, Ct);
        using var discarded = await admin.PostAsync($"{Base}/{listed[1].Id}/discard", null, Ct);
        using var again = await admin.PostAsync($"{Base}/{listed[1].Id}/discard", null, Ct);
        using var viewerRetry = await viewer.PostAsync($"{Base}/{listed[1].Id}/retry", null, Ct);
        using var unknownStore = await admin.GetAsync("/api/tenants/acme/stores/nowhere/quarantine", Ct);

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal("applied", (await retried.Content.ReadFromJsonAsync<QuarantineRetryView>(Ct))!.Outcome);
        Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerRetry.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownStore.StatusCode);
        Assert.Empty((await admin.GetFromJsonAsync<List<QuarantineEntryView>>(Base, Ct))!);
        var tiles = await admin.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/us-shop/tiles", Ct);
        Assert.Equal((80m, 1m), (tiles!.GrossRevenue.Value, tiles.Orders.Value));
    }
}
