using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;
using SalesDash.Web.Stores;
using SalesDash.Web.Tests.Hosting;
using SalesDash.Web.Tests.Reports;

namespace SalesDash.Web.Tests.Stores;

/// <summary>
/// An Admin renames a store and moves its time zone (history re-buckets into the new zone's days); its currency
/// changes only while it has recorded nothing; bad input, an unknown store and a non-Admin are refused; the change is audited.
/// </summary>
public sealed class StoreManagementTests : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("salesdash-store-management-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }

    [Fact]
    public async Task Renamed_store_in_a_new_zone_lists_so_and_its_history_falls_on_the_new_zones_days()
    {
        await using var app = new ReportsApp(dataDirectory, "127.0.0.1:9");
        // 02:00 UTC on 24 November: the 24th in London, still the 23rd in New York.
        var at = new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);
        var batch = new HistoryBatch();
        batch.Add(new OrderPlaced
        {
            Store = new StoreRef("acme", "uk-shop"), Channel = SalesChannel.Shopify, EventId = "late", OccurredAt = at, StoreTimeZone = "Europe/London",
            Currency = "GBP", OrderId = "late", PlacedAt = at, Version = at, TotalPrice = 42.50m, Lines = [new OrderLine("MUG", "Mug", 1, 42.50m)], CountryCode = "GB",
        });
        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, Ct);
        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        Assert.Equal(42.50m, await GrossOnAsync(admin, "2026-11-24"));

        using var response = await admin.PatchAsJsonAsync("/api/tenants/acme/stores/uk-shop", new StoreUpdateRequest("Acme UK (Shopify)", "America/New_York", null), Json, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var listed = (await admin.GetFromJsonAsync<StoreSummary[]>("/api/stores", Json, Ct))!.Single(s => s.StoreId == "uk-shop");
        Assert.Equal(("Acme UK (Shopify)", "America/New_York", "GBP"), (listed.Name, listed.TimeZone, listed.Currency));

        // The same order, re-bucketed: now on the 23rd.
        Assert.Equal(0m, await GrossOnAsync(admin, "2026-11-24"));
        Assert.Equal(42.50m, await GrossOnAsync(admin, "2026-11-23"));

        // Its amounts were recorded in GBP: the currency stays.
        using var currency = await admin.PatchAsJsonAsync("/api/tenants/acme/stores/uk-shop", new StoreUpdateRequest(null, null, "EUR"), Json, Ct);
        Assert.Equal(HttpStatusCode.Conflict, currency.StatusCode);
        Assert.Contains("kept as recorded, not converted", (await currency.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("detail").GetString(),
            StringComparison.Ordinal);

        // A store that has recorded nothing may change it.
        using var fresh = await admin.PatchAsJsonAsync("/api/tenants/acme/stores/us-shop", new StoreUpdateRequest(null, null, "cad"), Json, Ct);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("CAD", (await fresh.Content.ReadFromJsonAsync<StoreSummary>(Json, Ct))!.Currency);

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/tenants/acme/audit?action=UpdateStore", Json, Ct);
        Assert.Contains("UpdateStore", audit.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_changes_unknown_stores_and_non_admins_are_refused()
    {
        await using var app = new ReportsApp(dataDirectory, "127.0.0.1:9");
        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        using var bad = await admin.PatchAsJsonAsync("/api/tenants/acme/stores/uk-shop", new StoreUpdateRequest(" ", "Mars/Olympus", "XXXX"), Json, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("errors");
        Assert.Equal(["currency", "name", "timeZone"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        using var unknown = await admin.PatchAsJsonAsync("/api/tenants/acme/stores/nowhere", new StoreUpdateRequest("X", null, null), Json, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var analyst = await app.CreateSignedInClient(OrgRole.Analyst, "acme")
            .PatchAsJsonAsync("/api/tenants/acme/stores/uk-shop", new StoreUpdateRequest("X", null, null), Json, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, analyst.StatusCode);
        var unchanged = (await admin.GetFromJsonAsync<StoreSummary[]>("/api/stores", Json, Ct))!.Single(s => s.StoreId == "uk-shop");
        Assert.Equal("acme uk-shop", unchanged.Name);
    }

    private static async Task<decimal> GrossOnAsync(HttpClient client, string day)
    {
        var summary = await client.GetFromJsonAsync<JsonElement>($"/api/tenants/acme/stores/uk-shop/history/summary?period=custom&from={day}&to={day}&compare=none", Json, Ct);
        return summary.GetProperty("kpis").GetProperty("grossRevenue").GetProperty("value").GetDecimal();
    }
}
