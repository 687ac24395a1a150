using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Web.Goals;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Goals;

/// <summary>Goals over HTTP: set, read with progress and pace from history, refused with reasons, and the pace alert.</summary>
public sealed class GoalsApiTests : IAsyncDisposable
{
    // The alert test runs the pace job's passes itself; the singleton's first pass, at a late start, would race them
    // (both read no open alert, both raise one).
    private readonly SalesDashHost app = new(new SalesDashHostOptions { Services = SalesDashHost.WithoutClusterJobs });

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_day_goal_shows_what_history_took_today_and_the_linear_pace()
    {
        var client = app.CreateSignedInClient();
        var now = app.Clock.GetUtcNow(); // 15:30 in London
        await WriteAsync(Order("g-1", now.AddHours(-2), 120m), Order("g-2", now.AddMinutes(-5), 180m), Order("g-old", now.AddDays(-1), 999m));

        using var created = await client.PostAsJsonAsync("/api/tenants/acme/goals",
            new { name = "Daily", metric = "revenue", target = 1000m, period = "day", storeId = "uk-shop", pace = "linear" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var list = await client.GetFromJsonAsync<JsonElement>("/api/tenants/acme/goals", Ct);
        var view = Assert.Single(list.EnumerateArray());
        var progress = view.GetProperty("progress");
        // 15.5 of 24 hours gone, 300 taken: 300 / (15.5 / 24) = 464.52.
        Assert.Equal((300m, 464.52m, "Behind", "Linear"), (progress.GetProperty("achieved").GetDecimal(), progress.GetProperty("projected").GetDecimal(),
            progress.GetProperty("status").GetString(), progress.GetProperty("method").GetString()));
        Assert.Equal("Behind: on pace for 464.52 GBP of 1,000.00 GBP by 25 Nov 2026.", view.GetProperty("sentence").GetString());
        Assert.Equal("GBP", view.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task An_hourly_profile_goal_follows_when_the_store_trades()
    {
        var client = app.CreateSignedInClient();
        var now = app.Clock.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero); // London is on GMT in November
        // Four weeks ago the store took all its trade between 09:00 and 10:00, and between 18:00 and 19:00, in equal parts.
        await WriteAsync(Order("h-1", today.AddDays(-20).AddHours(9.5), 50m), Order("h-2", today.AddDays(-20).AddHours(18.5), 50m),
            Order("t-1", today.AddHours(9.5), 400m));

        using var created = await client.PostAsJsonAsync("/api/tenants/acme/goals",
            new { name = "Daily", metric = "revenue", target = 1000m, period = "day", storeId = "uk-shop" }, Ct);
        var view = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);

        // At 15:30 the 09:00 hour is done and 18:00 is to come: half the day is expected, so 400 is on pace for 800.
        var progress = view.GetProperty("progress");
        Assert.Equal((0.5m, 800m, "HourlyProfile"), (progress.GetProperty("expectedFraction").GetDecimal(), progress.GetProperty("projected").GetDecimal(),
            progress.GetProperty("method").GetString()));
    }

    [Fact]
    public async Task A_goal_that_makes_no_sense_is_refused_with_every_reason_and_nothing_is_kept()
    {
        var client = app.CreateSignedInClient();

        using var bad = await client.PostAsJsonAsync("/api/tenants/acme/goals",
            new { name = "", metric = "profit", target = -5m, period = "custom", from = "2026-12-10", to = "2026-12-01", pace = "guess", storeId = "nowhere" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        Assert.Equal(["metric", "name", "pace", "storeId", "target", "to"],
            errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        // acme's stores take GBP and USD: an organisation revenue goal cannot add them up; an orders goal can.
        using var mixed = await client.PostAsJsonAsync("/api/tenants/acme/goals", new { name = "Org", metric = "revenue", target = 10m, period = "week" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
        using var orders = await client.PostAsJsonAsync("/api/tenants/acme/goals", new { name = "Org", metric = "orders", target = 10m, period = "week" }, Ct);
        Assert.Equal(HttpStatusCode.Created, orders.StatusCode);

        var list = await client.GetFromJsonAsync<JsonElement>("/api/tenants/acme/goals", Ct);
        Assert.Equal(["Org"], list.EnumerateArray().Select(v => v.GetProperty("goal").GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_goal_behind_its_pace_raises_one_alert_and_resolves_it_when_met()
    {
        var client = app.CreateSignedInClient();
        var now = app.Clock.GetUtcNow();
        await WriteAsync(Order("p-1", now.AddHours(-1), 100m));
        using var created = await client.PostAsJsonAsync("/api/tenants/acme/goals",
            new { name = "Black Friday", metric = "revenue", target = 1000m, period = "day", storeId = "uk-shop", pace = "linear", alertWhenBehind = true }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var job = app.Services.GetRequiredService<GoalPaceJob>();

        await job.RunAsync(Ct);
        await job.RunAsync(Ct);
        var alerts = (await client.GetFromJsonAsync<JsonElement>("/api/tenants/acme/alerts", Ct)).EnumerateArray().ToArray();
        var alert = Assert.Single(alerts);
        Assert.Equal(("Firing", "uk-shop", "Black Friday: Behind: on pace for 154.84 GBP of 1,000.00 GBP by 25 Nov 2026."),
            (alert.GetProperty("status").GetString(), alert.GetProperty("storeId").GetString(), alert.GetProperty("message").GetString()));

        await WriteAsync(Order("p-2", now.AddMinutes(-1), 900m));
        await job.RunAsync(Ct);
        var resolved = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/tenants/acme/alerts", Ct)).EnumerateArray());
        Assert.Equal("Resolved", resolved.GetProperty("status").GetString());

        // An organisation goal cannot page anyone: an alert belongs to a store.
        using var org = await client.PostAsJsonAsync("/api/tenants/acme/goals",
            new { name = "Org", metric = "orders", target = 10m, period = "day", alertWhenBehind = true }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, org.StatusCode);
    }

    private static OrderPlaced Order(string id, DateTimeOffset placedAt, decimal total) => new()
    {
        Store = new StoreRef("acme", "uk-shop"),
        Channel = SalesChannel.Shopify,
        EventId = $"{id}-{placedAt.ToUnixTimeMilliseconds()}",
        OccurredAt = placedAt,
        StoreTimeZone = "Europe/London",
        Currency = "GBP",
        OrderId = id,
        PlacedAt = placedAt,
        Version = placedAt,
        TotalPrice = total,
        Lines = [new OrderLine("SKU", "Thing", 1, total)],
        CountryCode = "GB",
    };

    private async Task WriteAsync(params CommerceEvent[] events)
    {
        var batch = new HistoryBatch();
        foreach (var e in events)
        {
            batch.Add(e);
        }

        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, Ct);
    }
}
