using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Serialization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Access;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Stores;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Hubs;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Hubs;

/// <summary>Revoking what a live dashboard's access rests on ends its connection, wherever the revocation happens.</summary>
/// <remarks>
/// One app for the class: each test revokes only what it made (its own member, key, dashboard and link), so no test
/// sees another's. The expiry test moves the shared clock two hours on; no other test reads a figure of "today" or
/// holds a link with an expiry, so none depends on where the clock stands.
/// </remarks>
public sealed class LiveRevocationTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A safety net for a test that would otherwise wait for ever on the old code; no figure depends on it.</summary>
    private static readonly TimeSpan Never = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Removed_member_stops_receiving_live_tiles()
    {
        var owner = app.CreateSignedInClient(OrgRole.Owner, "acme");
        var email = await app.CreateMemberAsync(OrgRole.Viewer, "acme");
        await using var dashboard = app.CreateHubConnectionSignedInAs(email);
        var closed = ClosedOf(dashboard);
        await dashboard.StartAsync(Ct);
        await dashboard.InvokeAsync<DashboardTiles>("Subscribe", "acme", "uk-shop", Ct);
        var members = await owner.GetFromJsonAsync<MemberView[]>("/api/tenants/acme/members", Json, Ct);
        var member = members!.Single(m => m.Email == email);

        using var removed = await owner.DeleteAsync($"/api/tenants/acme/members/{member.UserId}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);

        await closed.WaitAsync(Never, Ct);
        Assert.Equal(HubConnectionState.Disconnected, dashboard.State);
        Assert.Equal(0, app.Services.GetRequiredService<LiveConnections>().Holding(LiveGrants.Member("acme", member.UserId)));
    }

    [Fact]
    public async Task Revoked_api_key_stops_receiving_live_tiles_and_cannot_subscribe_again()
    {
        var owner = app.CreateSignedInClient(OrgRole.Owner, "acme");
        using var create = await owner.PostAsJsonAsync("/api/tenants/acme/api-keys", new ApiKeyRequest("Wallboard feed", null), Ct);
        var key = (await create.Content.ReadFromJsonAsync<ApiKeyCreated>(Json, Ct))!;
        await using var feed = app.CreateHubConnectionWithApiKey(key.Key);
        var closed = ClosedOf(feed);
        await feed.StartAsync(Ct);
        await feed.InvokeAsync<DashboardTiles>("Subscribe", "acme", "uk-shop", Ct);

        using var revoked = await owner.DeleteAsync($"/api/tenants/acme/api-keys/{key.Id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        await closed.WaitAsync(Never, Ct);
        await using var again = app.CreateHubConnectionWithApiKey(key.Key);
        await again.StartAsync(Ct);
        await Assert.ThrowsAsync<HubException>(() => again.InvokeAsync<DashboardTiles>("Subscribe", "acme", "uk-shop", Ct));
    }

    [Fact]
    public async Task Revoked_share_link_ends_the_wallboards_live_connection()
    {
        var (owner, dashboardId, link) = await ShareAsync(app, expiresAt: null);
        await using var wall = app.CreateAnonymousHubConnection();
        var closed = ClosedOf(wall);
        await wall.StartAsync(Ct);
        await wall.InvokeAsync<DashboardTiles>("SubscribeShared", link.Token, "acme", "uk-shop", Ct);

        using var revoked = await owner.DeleteAsync($"/api/tenants/acme/dashboards/{dashboardId}/share/{link.Id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        await closed.WaitAsync(Never, Ct);
        Assert.Equal(HubConnectionState.Disconnected, wall.State);
    }

    [Fact]
    public async Task Share_link_with_an_expiry_works_until_then_and_afterwards_is_gone_and_its_connection_ended()
    {
        var expiresAt = app.Clock.GetUtcNow().AddHours(2);
        var (owner, dashboardId, link) = await ShareAsync(app, expiresAt);
        Assert.Equal(expiresAt, link.ExpiresAt);
        var listed = await owner.GetFromJsonAsync<ShareLink[]>($"/api/tenants/acme/dashboards/{dashboardId}/share", Json, Ct);
        Assert.Equal(expiresAt, Assert.Single(listed!).ExpiresAt);
        var anonymous = app.CreateClient();
        using (var before = await anonymous.GetAsync($"/api/wall/{link.Token}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await using var wall = app.CreateAnonymousHubConnection();
        var closed = ClosedOf(wall);
        await wall.StartAsync(Ct);
        await wall.InvokeAsync<DashboardTiles>("SubscribeShared", link.Token, "acme", "uk-shop", Ct);

        app.Clock.Advance(TimeSpan.FromHours(2));

        await closed.WaitAsync(Never, Ct);
        using var after = await anonymous.GetAsync($"/api/wall/{link.Token}", Ct);
        Assert.Equal(HttpStatusCode.Gone, after.StatusCode);
        Assert.Equal("application/problem+json", after.Content.Headers.ContentType?.MediaType);
        await using var again = app.CreateAnonymousHubConnection();
        await again.StartAsync(Ct);
        await Assert.ThrowsAsync<HubException>(() => again.InvokeAsync<DashboardTiles>("SubscribeShared", link.Token, "acme", "uk-shop", Ct));
    }

    [Fact]
    public async Task Share_link_expiring_in_the_past_is_refused()
    {
        var owner = app.CreateSignedInClient(OrgRole.Owner, "acme");
        using var created = await owner.PostAsJsonAsync("/api/tenants/acme/dashboards", Board(), Ct);
        var dashboard = (await created.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!;

        using var share = await owner.PostAsJsonAsync($"/api/tenants/acme/dashboards/{dashboard.Id}/share",
            new ShareLinkInput(app.Clock.GetUtcNow().AddMinutes(-1)), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, share.StatusCode);
        Assert.Contains("expiresAt", await share.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revocation_published_from_another_node_ends_the_connection_here()
    {
        var email = await app.CreateMemberAsync(OrgRole.Viewer, "acme");
        await using var dashboard = app.CreateHubConnectionSignedInAs(email);
        var closed = ClosedOf(dashboard);
        await dashboard.StartAsync(Ct);
        await dashboard.InvokeAsync<DashboardTiles>("Subscribe", "acme", "uk-shop", Ct);
        var userId = await UserIdAsync(app, email);

        // What another node's LiveAccessRevocations publishes; nothing on this node calls End directly.
        var system = app.Services.GetRequiredService<ActorSystem>();
        DistributedPubSub.Get(system).Mediator.Tell(new Publish(LiveAccessNotices.Topic, new LiveAccessNotices.AccessRevoked(LiveGrants.Member("acme", userId))));

        await closed.WaitAsync(Never, Ct);
    }

    [Fact]
    public async Task The_web_hosts_pub_sub_notices_go_on_the_wire_through_the_engine_serializer()
    {
        var system = app.Services.GetRequiredService<ActorSystem>();
        object[] notices =
        [
            new LiveAccessNotices.AccessRevoked(LiveGrants.ApiKey(Guid.NewGuid().ToString())),
            new StoreDirectoryNotices.StoreChanged(new StoreRef("acme", "uk-shop")),
        ];

        foreach (var message in notices)
        {
            var serializer = system.Serialization.FindSerializerFor(message);

            Assert.IsType<SalesDashSerializer>(serializer);
            var bytes = serializer.ToBinary(message);
            Assert.Equal(message, system.Serialization.Deserialize(bytes, serializer.Identifier, Serialization.ManifestFor(serializer, message)));
        }
    }

    private static Task ClosedOf(HubConnection connection)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        return closed.Task;
    }

    private static async Task<string> UserIdAsync(WebAppFactory app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
        return (await users.FindByEmailAsync(email))!.Id;
    }

    private static async Task<(HttpClient Owner, string DashboardId, ShareLinkCreated Link)> ShareAsync(WebAppFactory app, DateTimeOffset? expiresAt)
    {
        var owner = app.CreateSignedInClient(OrgRole.Owner, "acme");
        using var created = await owner.PostAsJsonAsync("/api/tenants/acme/dashboards", Board(), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var dashboard = (await created.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!;
        using var share = expiresAt is null
            ? await owner.PostAsync($"/api/tenants/acme/dashboards/{dashboard.Id}/share", null, Ct)
            : await owner.PostAsJsonAsync($"/api/tenants/acme/dashboards/{dashboard.Id}/share", new ShareLinkInput(expiresAt), Ct);
        Assert.Equal(HttpStatusCode.Created, share.StatusCode);
        return (owner, dashboard.Id, (await share.Content.ReadFromJsonAsync<ShareLinkCreated>(Json, Ct))!);
    }

    private static DashboardInput Board() => new(
        "Wallboard", [new LayoutItem("revenue", 0, 0, 4, 3)], [new Widget("revenue", "kpi", null, new WidgetSettings("gross-revenue", "today", "none"))]);
}
