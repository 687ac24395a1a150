using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesDash.Engine;
using SalesDash.Web.Audit;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Tests.Plans;

/// <summary>The audit log: who changed what, refusals included, read back by admins page by page.</summary>
public sealed class AuditLogTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DashboardInput Board(string name) => new(
        name, [new LayoutItem("revenue", 0, 0, 4, 3)], [new Widget("revenue", "kpi", null, new WidgetSettings("gross-revenue", "today", "none"))]);

    [Fact]
    public async Task Changing_a_dashboard_as_a_user_records_that_user_the_action_and_the_dashboard()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        var creator = await app.MemberAsync(tenant, OrgRole.Analyst);
        var editor = await app.MemberAsync(tenant, OrgRole.Admin);
        using var created = await creator.Client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("Weekly"), Ct);
        var id = (await created.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!.Id;
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        (await editor.Client.PutAsJsonAsync($"/api/tenants/{tenant}/dashboards/{id}", Board("Weekly v2"), Ct)).EnsureSuccessStatusCode();

        var page = (await editor.Client.GetFromJsonAsync<AuditPage>($"/api/tenants/{tenant}/audit", Json, Ct))!;
        Assert.Collection(
            page.Entries,
            update => Assert.Equal(
                (editor.UserId, editor.Email, "UpdateDashboard", "PUT", id, 200, "succeeded", app.Clock.GetUtcNow(), "name 'Weekly' → 'Weekly v2'"),
                (update.ActorUserId, update.ActorEmail, update.Action, update.Method, update.Target["id"], update.Status, update.Outcome, update.At, update.Summary)),
            create => Assert.Equal((creator.UserId, "CreateDashboard", 201, "succeeded"), (create.ActorUserId, create.Action, create.Status, create.Outcome)));
        Assert.Null(page.NextBefore);
    }

    [Fact]
    public async Task Refused_change_is_recorded_as_refused_with_its_status()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Free, Ct);
        var member = await app.MemberAsync(tenant, OrgRole.Admin);
        var client = member.Client;
        (await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("Board 1"), Ct)).EnsureSuccessStatusCode();

        using var refused = await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("Board 2"), Ct);
        using var invalid = await client.PutAsJsonAsync($"/api/tenants/{tenant}/dashboards/nope", new DashboardInput("", [], []), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        var page = (await client.GetFromJsonAsync<AuditPage>($"/api/tenants/{tenant}/audit?outcome=refused", Json, Ct))!;
        Assert.Equal(
            [("UpdateDashboard", 400, member.UserId), ("CreateDashboard", 403, member.UserId)],
            page.Entries.Select(e => (e.Action, e.Status, e.ActorUserId)));
        Assert.All(page.Entries, e => Assert.Equal("refused", e.Outcome));
    }

    [Fact]
    public async Task Refused_plan_change_is_recorded_and_a_channel_secret_never_is()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Scale, Ct);
        var client = app.ClientFor(tenant);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsJsonAsync($"/api/tenants/{tenant}/plan", new PlanChange("Enterprise"), Ct)).StatusCode);
        (await client.PutAsJsonAsync($"/api/tenants/{tenant}/stores/shop/channels/stripe",
            new SalesDash.Web.Channels.ChannelConnectionRequest(true, null, new() { ["webhookSecret"] = "whsec-very-secret-value" }, null), Ct)).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"/api/tenants/{tenant}/stores/shop/channels/stripe",
            new SalesDash.Web.Channels.ChannelConnectionRequest(false, null, new() { ["webhookSecret"] = "whsec-another-secret" }, 600), Ct)).EnsureSuccessStatusCode();

        var page = (await client.GetFromJsonAsync<AuditPage>($"/api/tenants/{tenant}/audit", Json, Ct))!;
        var change = Assert.Single(page.Entries, e => e.Action == "ChangePlan");
        Assert.Equal((403, "refused"), (change.Status, change.Outcome));
        var saves = page.Entries.Where(e => e.Action == "SaveChannelConnection").ToList();
        Assert.Equal(new Dictionary<string, string> { ["storeId"] = "shop", ["channel"] = "stripe" }, saves[1].Target);
        Assert.Equal(["disabled; poll interval 300 s → 600 s; credentials replaced: webhookSecret", "connected (enabled, every 300 s)"], saves.Select(e => e.Summary));
        Assert.DoesNotContain("whsec-very-secret-value", JsonSerializer.Serialize(page), StringComparison.Ordinal);
        Assert.DoesNotContain("whsec-another-secret", JsonSerializer.Serialize(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Change_made_with_an_api_key_records_the_key_not_a_user()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Enterprise, Ct);

        var (key, keyId) = await app.ApiKeyClientAsync(tenant, Ct);

        (await key.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("From CI"), Ct)).EnsureSuccessStatusCode();

        var entry = Assert.Single((await app.ClientFor(tenant).GetFromJsonAsync<AuditPage>($"/api/tenants/{tenant}/audit?actor={keyId}", Json, Ct))!.Entries);
        Assert.Equal((keyId, null, null, "CreateDashboard"), (entry.ApiKeyId, entry.ActorUserId, entry.ActorEmail, entry.Action));
    }

    [Fact]
    public async Task Pages_walk_back_from_the_newest_and_filters_narrow_by_actor_and_action()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Enterprise, Ct);
        var odd = await app.MemberAsync(tenant, OrgRole.Analyst);
        var even = await app.MemberAsync(tenant, OrgRole.Analyst);
        var ids = new List<string>();
        for (var i = 1; i <= 5; i++)
        {
            using var created = await (i % 2 == 0 ? even : odd).Client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board($"B{i}"), Ct);
            ids.Add((await created.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!.Id);
        }

        (await odd.Client.DeleteAsync($"/api/tenants/{tenant}/dashboards/{ids[0]}", Ct)).EnsureSuccessStatusCode();
        var client = app.ClientFor(tenant, OrgRole.Admin);

        var first = (await client.GetFromJsonAsync<AuditPage>($"/api/tenants/{tenant}/audit?limit=4", Json, Ct))!;
        var second = (await client.GetFromJsonAsync<AuditPage>($"/api/tenants/{tenant}/audit?limit=4&before={first.NextBefore}", Json, Ct))!;
        var oddCreates = (await client.GetFromJsonAsync<AuditPage>($"/api/tenants/{tenant}/audit?actor={odd.UserId}&action=CreateDashboard", Json, Ct))!;

        Assert.Equal(4, first.Entries.Count);
        Assert.Equal("DeleteDashboard", first.Entries[0].Action);
        Assert.Equal(2, second.Entries.Count);
        Assert.Null(second.NextBefore);
        Assert.True(first.Entries[^1].Id > second.Entries[0].Id);
        Assert.Equal(3, oddCreates.Entries.Count);
        Assert.All(oddCreates.Entries, e => Assert.Equal((odd.UserId, "CreateDashboard"), (e.ActorUserId, e.Action)));

        using var bad = await client.GetAsync($"/api/tenants/{tenant}/audit?outcome=maybe", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Audit_rows_cannot_be_changed_or_deleted()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Enterprise, Ct);
        (await app.ClientFor(tenant).PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("B"), Ct)).EnsureSuccessStatusCode();
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct);

        Assert.True(await db.Set<SalesDash.Web.AppData.AuditRow>().AnyAsync(Ct));
        foreach (var sql in new[] { "UPDATE \"AuditLog\" SET \"ActorUserId\" = 'someone-else'", "DELETE FROM \"AuditLog\"" })
        {
            var error = await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync(sql, Ct));
            Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        }
    }
}
