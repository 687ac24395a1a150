using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Tests.AppData;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Dashboards;

/// <summary>Dashboards of an organisation through the HTTP API, as the editor and a wallboard use it.</summary>
public sealed class DashboardsApiTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Base(string tenantId = "acme") => $"/api/tenants/{tenantId}/dashboards";

    private static DashboardInput Board(string name = "Black Friday", string? channel = null) => new(
        name,
        [new LayoutItem("revenue", 0, 0, 4, 3), new LayoutItem("trend", 4, 0, 8, 6), new LayoutItem("target", 0, 3, 4, 3)],
        [
            new Widget("revenue", "kpi", "Revenue today", new WidgetSettings("gross-revenue", "today", "last-week", channel)),
            new Widget("trend", "chart", null, new WidgetSettings("orders", "last-60-minutes", "none", channel, ChartType: "area")),
            new Widget("target", "goal", "Black Friday target", new WidgetSettings("gross-revenue", "today", "none", channel, Target: 50_000m, TargetLabel: "Black Friday")),
        ]);

    [Fact]
    public async Task Created_dashboard_is_listed_and_read_back_with_its_layout_and_widgets()
    {
        var client = app.CreateSignedInClient();
        var now = app.Clock.GetUtcNow();

        using var response = await client.PostAsJsonAsync(Base(), Board("Created board"), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!;
        Assert.Equal($"/api/tenants/acme/dashboards/{created.Id}", response.Headers.Location?.OriginalString);

        var read = await client.GetFromJsonAsync<Dashboard>($"{Base()}/{created.Id}", Json, Ct);
        Assert.Equal("Created board", read!.Name);
        Assert.Equal("acme", read.TenantId);
        Assert.Equal(Board().Layout, read.Layout);
        Assert.Equal(Board().Widgets.Select(w => (w.Id, w.Kind, w.Title, w.Settings)), read.Widgets.Select(w => (w.Id, w.Kind, w.Title, w.Settings)));
        Assert.Equal((now, now), (read.CreatedAt, read.UpdatedAt));

        var list = await client.GetFromJsonAsync<DashboardSummary[]>(Base(), Json, Ct);
        var row = Assert.Single(list!, d => d.Id == created.Id);
        Assert.Equal(("Created board", 3), (row.Name, row.WidgetCount));
    }

    [Fact]
    public async Task Saving_a_moved_widget_and_a_new_name_is_what_the_next_read_returns()
    {
        var client = app.CreateSignedInClient();
        var created = await CreateAsync(client, Board("Before"));

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var moved = Board("After") with { Layout = [new LayoutItem("revenue", 8, 2, 4, 2), new LayoutItem("trend", 0, 0, 8, 6), new LayoutItem("target", 0, 6, 12, 3)] };
        using var put = await client.PutAsJsonAsync($"{Base()}/{created.Id}", moved, Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var read = await client.GetFromJsonAsync<Dashboard>($"{Base()}/{created.Id}", Json, Ct);
        Assert.Equal("After", read!.Name);
        Assert.Equal(moved.Layout, read.Layout);
        Assert.Equal(created.CreatedAt, read.CreatedAt);
        Assert.Equal(created.CreatedAt.AddMinutes(5), read.UpdatedAt);
    }

    [Fact]
    public async Task Duplicate_is_a_separate_dashboard_with_the_same_widgets_and_a_copy_name()
    {
        var client = app.CreateSignedInClient();
        var original = await CreateAsync(client, Board("Weekly"));

        using var response = await client.PostAsync($"{Base()}/{original.Id}/duplicate", null, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var copy = (await response.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!;

        Assert.NotEqual(original.Id, copy.Id);
        Assert.Equal("Weekly (copy)", copy.Name);
        Assert.Equal(original.Layout, copy.Layout);
        Assert.Equal(original.Widgets.Select(w => w.Settings), copy.Widgets.Select(w => w.Settings));

        // Changing the copy leaves the original as it was.
        using var put = await client.PutAsJsonAsync($"{Base()}/{copy.Id}", Board("Renamed copy") with { Widgets = [], Layout = [] }, Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var again = await client.GetFromJsonAsync<Dashboard>($"{Base()}/{original.Id}", Json, Ct);
        Assert.Equal(("Weekly", 3), (again!.Name, again.Widgets.Count));

        using var named = await client.PostAsJsonAsync($"{Base()}/{original.Id}/duplicate", new DuplicateInput("Weekly for the TV"), Ct);
        Assert.Equal("Weekly for the TV", (await named.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!.Name);
    }

    [Fact]
    public async Task Deleted_dashboard_is_gone_and_its_share_link_stops_working()
    {
        var client = app.CreateSignedInClient();
        var created = await CreateAsync(client, Board("Short-lived"));
        var link = await ShareAsync(client, created.Id);

        using var delete = await client.DeleteAsync($"{Base()}/{created.Id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        await AssertProblemAsync(await client.GetAsync($"{Base()}/{created.Id}", Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync($"/api/wall/{link.Token}", Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.DeleteAsync($"{Base()}/{created.Id}", Ct), HttpStatusCode.NotFound);
        var list = await client.GetFromJsonAsync<DashboardSummary[]>(Base(), Json, Ct);
        Assert.DoesNotContain(list!, d => d.Id == created.Id);
    }

    [Fact]
    public async Task Another_organisations_dashboard_is_404_and_not_listed()
    {
        var client = app.CreateSignedInClient();
        var acme = await CreateAsync(client, Board("Acme only"));

        await AssertProblemAsync(await client.GetAsync($"{Base("globex")}/{acme.Id}", Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.PutAsJsonAsync($"{Base("globex")}/{acme.Id}", Board("Taken"), Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.DeleteAsync($"{Base("globex")}/{acme.Id}", Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.PostAsync($"{Base("globex")}/{acme.Id}/share", null, Ct), HttpStatusCode.NotFound);
        var globex = await client.GetFromJsonAsync<DashboardSummary[]>(Base("globex"), Json, Ct);
        Assert.DoesNotContain(globex!, d => d.Id == acme.Id);
        Assert.Equal("Acme only", (await client.GetFromJsonAsync<Dashboard>($"{Base()}/{acme.Id}", Json, Ct))!.Name);
    }

    [Fact]
    public async Task Unknown_organisation_is_404_problem()
    {
        var client = app.CreateSignedInClient();

        await AssertProblemAsync(await client.GetAsync(Base("nobody"), Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.PostAsJsonAsync(Base("nobody"), Board(), Ct), HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string> InvalidBoards() => new()
    {
        { """{"name":"  ","layout":[],"widgets":[]}""", "name" },
        { $$"""{"name":"{{new string('x', 81)}}","layout":[],"widgets":[]}""", "name" },
        { """{"name":"A","layout":[],"widgets":[{"id":"a","kind":"weather","settings":{"metric":"gross-revenue","period":"today","comparison":"none"}}]}""", "widgets[0].kind" },
        { """{"name":"A","layout":[{"i":"a","x":0,"y":0,"w":4,"h":2}],"widgets":[{"id":"a","kind":"kpi","settings":{"metric":"refunds","period":"last-60-minutes","comparison":"none"}}]}""", "widgets[0].settings.metric" },
        { """{"name":"A","layout":[{"i":"a","x":0,"y":0,"w":4,"h":2}],"widgets":[{"id":"a","kind":"kpi","settings":{"metric":"orders","period":"last-15-minutes","comparison":"last-week"}}]}""", "widgets[0].settings.comparison" },
        { """{"name":"A","layout":[{"i":"a","x":0,"y":0,"w":4,"h":2}],"widgets":[{"id":"a","kind":"kpi","settings":{"metric":"orders","period":"today","comparison":"none","channel":"Etsy"}}]}""", "widgets[0].settings.channel" },
        { """{"name":"A","layout":[{"i":"a","x":0,"y":0,"w":4,"h":2}],"widgets":[{"id":"a","kind":"chart","settings":{"metric":"orders","period":"last-60-minutes","comparison":"none","chartType":"pie"}}]}""", "widgets[0].settings.chartType" },
        { """{"name":"A","layout":[{"i":"a","x":0,"y":0,"w":4,"h":2}],"widgets":[{"id":"a","kind":"goal","settings":{"metric":"gross-revenue","period":"today","comparison":"none","target":0}}]}""", "widgets[0].settings.target" },
        { """{"name":"A","layout":[{"i":"a","x":10,"y":0,"w":4,"h":2}],"widgets":[{"id":"a","kind":"kpi","settings":{"metric":"orders","period":"today","comparison":"none"}}]}""", "layout[0].x" },
        { """{"name":"A","layout":[{"i":"b","x":0,"y":0,"w":4,"h":2}],"widgets":[{"id":"a","kind":"kpi","settings":{"metric":"orders","period":"today","comparison":"none"}}]}""", "layout[0].i" },
        { """{"name":"A","layout":[],"widgets":[{"id":"a","kind":"kpi","settings":{"metric":"orders","period":"today","comparison":"none"}}]}""", "layout" },
        { """{"name":"A","layout":[{"i":"a","x":0,"y":0,"w":4,"h":2},{"i":"a","x":4,"y":0,"w":4,"h":2}],"widgets":[{"id":"a","kind":"kpi","settings":{"metric":"orders","period":"today","comparison":"none"}},{"id":"a","kind":"kpi","settings":{"metric":"orders","period":"today","comparison":"none"}}]}""", "widgets[1].id" },
    };

    [Theory]
    [MemberData(nameof(InvalidBoards))]
    public async Task Invalid_dashboard_is_refused_with_a_400_problem_naming_the_field(string body, string field)
    {
        var client = app.CreateSignedInClient();
        var before = (await client.GetFromJsonAsync<DashboardSummary[]>(Base(), Json, Ct))!.Length;

        using var response = await client.PostAsync(Base(), new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"No error for {field} in {problem}");
        Assert.Equal(before, (await client.GetFromJsonAsync<DashboardSummary[]>(Base(), Json, Ct))!.Length);
    }

    [Fact]
    public async Task Invalid_update_leaves_the_saved_dashboard_unchanged()
    {
        var client = app.CreateSignedInClient();
        var created = await CreateAsync(client, Board("Kept"));

        var broken = Board("Broken") with { Layout = [new LayoutItem("revenue", 0, 0, 13, 3), .. Board().Layout.Skip(1)] };
        await AssertProblemAsync(await client.PutAsJsonAsync($"{Base()}/{created.Id}", broken, Ct), HttpStatusCode.BadRequest);

        var read = await client.GetFromJsonAsync<Dashboard>($"{Base()}/{created.Id}", Json, Ct);
        Assert.Equal("Kept", read!.Name);
        Assert.Equal(Board().Layout, read.Layout);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        var client = app.CreateSignedInClient();

        var before = (await client.GetFromJsonAsync<DashboardSummary[]>(Base(), Json, Ct))!.Length;

        var problem = await AssertProblemAsync(await client.PostAsync(Base(), new StringContent("{\"name\": ", Encoding.UTF8, "application/json"), Ct), HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), problem.ToString());
        Assert.Equal(before, (await client.GetFromJsonAsync<DashboardSummary[]>(Base(), Json, Ct))!.Length);
    }

    [Fact]
    public async Task Share_link_shows_the_dashboard_and_its_stores_and_only_its_hash_is_stored()
    {
        var client = app.CreateSignedInClient();
        var created = await CreateAsync(client, Board("On the TV"));

        var link = await ShareAsync(client, created.Id);
        Assert.Equal($"/wall/{link.Token}", link.Url);
        Assert.Equal(43, link.Token.Length);

        using var wallResponse = await client.GetAsync($"/api/wall/{link.Token}", Ct);
        Assert.Equal(HttpStatusCode.OK, wallResponse.StatusCode);
        Assert.Equal("no-store", wallResponse.Headers.CacheControl?.ToString());
        var wall = (await wallResponse.Content.ReadFromJsonAsync<WallViewBody>(Json, Ct))!;
        Assert.Equal(("acme", created.Id, "On the TV"), (wall.TenantId, wall.Dashboard.Id, wall.Dashboard.Name));
        Assert.Equal(["uk-shop", "us-shop"], wall.Stores.Select(s => s.StoreId).Order(StringComparer.Ordinal));

        // The database holds the token's SHA-256, never the token.
        var stored = await ReadTokenHashesAsync(link.Id);
        Assert.Equal([ShareTokens.Hash(link.Token)], stored);
        Assert.DoesNotContain(link.Token, await AppDatabaseFiles.ReadAllTextAsync(app.Services, Ct), StringComparison.Ordinal);

        var listed = await client.GetFromJsonAsync<ShareLink[]>($"{Base()}/{created.Id}/share", Json, Ct);
        var row = Assert.Single(listed!);
        Assert.Equal((link.Id, (DateTimeOffset?)null), (row.Id, row.RevokedAt));
        Assert.DoesNotContain(link.Token, JsonSerializer.Serialize(listed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_or_malformed_token_is_404()
    {
        var client = app.CreateSignedInClient();

        await AssertProblemAsync(await client.GetAsync($"/api/wall/{ShareTokens.Create()}", Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync("/api/wall/short", Ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Revoked_link_is_410_while_another_link_of_the_same_dashboard_keeps_working()
    {
        var client = app.CreateSignedInClient();
        var created = await CreateAsync(client, Board("Revocable"));
        var kitchen = await ShareAsync(client, created.Id);
        var lobby = await ShareAsync(client, created.Id);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        using var revoke = await client.DeleteAsync($"{Base()}/{created.Id}/share/{kitchen.Id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        await AssertProblemAsync(await client.GetAsync($"/api/wall/{kitchen.Token}", Ct), HttpStatusCode.Gone);
        using var stillOn = await client.GetAsync($"/api/wall/{lobby.Token}", Ct);
        Assert.Equal(HttpStatusCode.OK, stillOn.StatusCode);

        var links = await client.GetFromJsonAsync<ShareLink[]>($"{Base()}/{created.Id}/share", Json, Ct);
        Assert.Equal(kitchen.CreatedAt.AddMinutes(1), links!.Single(l => l.Id == kitchen.Id).RevokedAt);
        Assert.Null(links!.Single(l => l.Id == lobby.Id).RevokedAt);

        await AssertProblemAsync(await client.DeleteAsync($"{Base()}/{created.Id}/share/no-such-link", Ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Hub_lets_a_share_link_watch_only_the_stores_its_dashboard_shows()
    {
        var client = app.CreateSignedInClient();
        var allChannels = await ShareAsync(client, (await CreateAsync(client, Board("Every channel"))).Id);
        var wooOnly = await ShareAsync(client, (await CreateAsync(client, Board("WooCommerce only", channel: "WooCommerce"))).Id);

        await using var tv = app.CreateAnonymousHubConnection();
        await tv.StartAsync(Ct);

        var tiles = await tv.InvokeAsync<DashboardTiles>("SubscribeShared", allChannels.Token, "acme", "uk-shop", Ct);
        Assert.Equal(("acme", "uk-shop", "GBP"), (tiles.TenantId, tiles.StoreId, tiles.Currency));

        // Another organisation's store, a store no widget shows, and a made-up token are all refused.
        await Assert.ThrowsAsync<HubException>(() => tv.InvokeAsync<DashboardTiles>("SubscribeShared", allChannels.Token, "globex", "shop", Ct));
        await Assert.ThrowsAsync<HubException>(() => tv.InvokeAsync<DashboardTiles>("SubscribeShared", wooOnly.Token, "acme", "uk-shop", Ct));
        await Assert.ThrowsAsync<HubException>(() => tv.InvokeAsync<DashboardTiles>("SubscribeShared", ShareTokens.Create(), "acme", "uk-shop", Ct));
    }

    [Fact]
    public async Task Hub_refuses_a_revoked_link()
    {
        var client = app.CreateSignedInClient();
        var created = await CreateAsync(client, Board("Soon revoked"));
        var link = await ShareAsync(client, created.Id);
        await using var tv = app.CreateAnonymousHubConnection();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tv.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await tv.StartAsync(Ct);
        Assert.Equal("us-shop", (await tv.InvokeAsync<DashboardTiles>("SubscribeShared", link.Token, "acme", "us-shop", Ct)).StoreId);

        using var revoke = await client.DeleteAsync($"{Base()}/{created.Id}/share/{link.Id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        // Revoking ends the live connection (LiveRevocationTests); a TV that reconnects is refused.
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await using var reconnected = app.CreateAnonymousHubConnection();
        await reconnected.StartAsync(Ct);
        await Assert.ThrowsAsync<HubException>(() => reconnected.InvokeAsync<DashboardTiles>("SubscribeShared", link.Token, "acme", "us-shop", Ct));
    }

    private static async Task<Dashboard> CreateAsync(HttpClient client, DashboardInput input)
    {
        using var response = await client.PostAsJsonAsync(Base(), input, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!;
    }

    private static async Task<ShareLinkCreated> ShareAsync(HttpClient client, string dashboardId)
    {
        using var response = await client.PostAsync($"{Base()}/{dashboardId}/share", null, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ShareLinkCreated>(Json, Ct))!;
    }

    /// <summary>Checks the status and problem+json type, and returns the problem document.</summary>
    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == expected, $"Expected {expected}, got {response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }

    private async Task<List<string>> ReadTokenHashesAsync(string linkId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct);
        return await db.Set<ShareLinkRow>().Where(l => l.Id == linkId).Select(l => l.TokenHash).ToListAsync(Ct);
    }

    private sealed record StoreBody(string TenantId, string StoreId, string Name, string Channel, string Currency, string TimeZone);

    private sealed record WallViewBody(string TenantId, Dashboard Dashboard, StoreBody[] Stores);
}
