using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Goals;

/// <summary>
/// The saved-goal board widget (issue 16 pt 6): bound to a goal by id (saved before one is chosen, refused with a malformed one), and read on a wallboard
/// through its share link, which shows that goal's progress and pace and no other goal of the organisation.
/// </summary>
public sealed class GoalWidgetTests : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly WebAppFactory app = new();

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DashboardInput Board(params Widget[] widgets) =>
        new("Wall", [.. widgets.Select((w, i) => new LayoutItem(w.Id, 0, i * 4, 4, 4))], widgets);

    private static Widget SavedGoal(string id, string? goalId) => new(id, "saved-goal", null, new WidgetSettings("orders", "today", "none", GoalId: goalId));

    private async Task<string> GoalAsync(HttpClient client, string name, decimal target)
    {
        using var created = await client.PostAsJsonAsync("/api/tenants/acme/goals",
            new { name, metric = "revenue", target, period = "day", storeId = "uk-shop", pace = "linear" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("goal").GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_saved_goal_widget_saves_before_its_goal_is_chosen_refuses_a_malformed_goal_and_a_visitors_widget_is_accepted()
    {
        var client = app.CreateSignedInClient();

        // Just added in the editor: no goal yet, and the board still saves (the widget says "Choose a goal").
        using var unchosen = await client.PostAsJsonAsync("/api/tenants/acme/dashboards", Board(SavedGoal("g", null)), Ct);
        Assert.Equal(HttpStatusCode.Created, unchosen.StatusCode);

        using var refused = await client.PostAsJsonAsync("/api/tenants/acme/dashboards", Board(SavedGoal("g", "../other-tenant")), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors");
        Assert.Equal(["widgets[0].settings.goalId"], errors.EnumerateObject().Select(p => p.Name));

        using var accepted = await client.PostAsJsonAsync("/api/tenants/acme/dashboards",
            Board(SavedGoal("g", "a1b2c3"), new Widget("v", "visitors", null, new WidgetSettings("orders", "today", "none"))), Ct);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var saved = (await accepted.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!;
        Assert.Equal("a1b2c3", saved.Widgets[0].Settings.GoalId);
    }

    [Fact]
    public async Task A_wallboard_reads_the_progress_and_pace_of_the_goal_its_widget_shows_and_no_other()
    {
        var client = app.CreateSignedInClient();
        var now = app.Clock.GetUtcNow(); // 15:30 in London
        var batch = new HistoryBatch();
        batch.Add(new OrderPlaced
        {
            Store = new StoreRef("acme", "uk-shop"), Channel = SalesChannel.Shopify, EventId = "w-1", OccurredAt = now.AddHours(-1),
            StoreTimeZone = "Europe/London", Currency = "GBP", OrderId = "w-1", PlacedAt = now.AddHours(-1), Version = now.AddHours(-1),
            TotalPrice = 250m, Lines = [new OrderLine("SKU", "Thing", 1, 250m)], CountryCode = "GB",
        });
        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, Ct);
        var shown = await GoalAsync(client, "Daily", 1000m);
        var hidden = await GoalAsync(client, "Secret", 5000m);

        using var created = await client.PostAsJsonAsync("/api/tenants/acme/dashboards", Board(SavedGoal("g", shown)), Ct);
        var board = (await created.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!;
        using var shared = await client.PostAsync($"/api/tenants/acme/dashboards/{board.Id}/share", null, Ct);
        var link = (await shared.Content.ReadFromJsonAsync<ShareLinkCreated>(Json, Ct))!;

        var wall = app.CreateClient();
        using var read = await wall.GetAsync($"/api/wall/{link.Token}/goals/{shown}", Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("no-store", read.Headers.CacheControl?.ToString());
        var view = await read.Content.ReadFromJsonAsync<JsonElement>(Ct);
        // 250 of 1,000 by 15:30: 15.5 of 24 hours gone, so linear pace is 250 / (15.5 / 24) = 387.10.
        Assert.Equal((250m, 0.25m, 387.10m), (view.GetProperty("progress").GetProperty("achieved").GetDecimal(),
            view.GetProperty("progress").GetProperty("progressRatio").GetDecimal(), view.GetProperty("progress").GetProperty("projected").GetDecimal()));
        Assert.Equal("Behind: on pace for 387.10 GBP of 1,000.00 GBP by 25 Nov 2026.", view.GetProperty("sentence").GetString());

        using var other = await wall.GetAsync($"/api/wall/{link.Token}/goals/{hidden}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);

        using (await client.DeleteAsync($"/api/tenants/acme/dashboards/{board.Id}/share/{link.Id}", Ct))
        {
        }

        using var revoked = await wall.GetAsync($"/api/wall/{link.Token}/goals/{shown}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, revoked.StatusCode);
    }
}
