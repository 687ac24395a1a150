using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Benchmarks;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Benchmarks;

/// <summary>
/// Peer benchmarks end to end over seeded organisations: each one's orders, refunds and sessions written to history,
/// its industry and consent set through the API, the cluster job's pass run, and "you vs peers" read back and checked
/// against quartiles this test computes from the seeded facts itself.
/// </summary>
/// <remarks>
/// The tests read the organisations <see cref="PeerSeededApp"/> seeded once; opting out changes who takes part, so that
/// test seeds its own host.
/// </remarks>
[Collection(PeerSeededCollection.Name)]
public sealed class PeerBenchmarksTests(PeerSeededApp app)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly BenchmarkMetric[] Known =
    [
        BenchmarkMetric.ConversionRate, BenchmarkMetric.AverageOrderValue, BenchmarkMetric.RepeatRate, BenchmarkMetric.RefundRate,
        BenchmarkMetric.RevenueGrowthWoW, BenchmarkMetric.RevenueGrowthMoM,
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_organisation_sees_its_own_figures_against_the_quartiles_of_its_narrowest_cohort_of_five()
    {
        var orgs = app.Orgs;
        var small = orgs.Where(o => o.Industry == "apparel" && !o.Big).ToList();
        var big = orgs.Single(o => o.Big);
        var pets = orgs.Single(o => o.Industry == "pets");

        Assert.Equal(orgs.Count, await app.Services.GetRequiredService<PeerBenchmarkJob>().RunOnceAsync(Ct));

        var mine = await BenchmarksAsync(small[0]);
        Assert.Equal(("apparel", "under-10k", true), (mine.Industry, mine.Band, mine.TakesPart));
        AssertCohort(mine, small[0], small, "IndustryAndBand", "apparel", "under-10k");
        AssertCohort(await BenchmarksAsync(big), big, [.. small, big], "Industry", "apparel", "*");
        Assert.Equal("10k-100k", (await BenchmarksAsync(big)).Band);
        AssertCohort(await BenchmarksAsync(pets), pets, orgs, "All", "*", "*");

        // Nobody has ad spend: ROAS is unknown for everyone, so no cohort of it exists.
        var roas = mine.Metrics.Single(m => m.Metric == nameof(BenchmarkMetric.Roas));
        Assert.Equal((null, null), (roas.You, roas.Cohort));
    }

    [Fact]
    public async Task Opting_out_takes_the_organisation_out_and_a_cohort_left_with_four_gives_way_to_the_wider_one()
    {
        await using var own = new SalesDashHost(new SalesDashHostOptions
        {
            Settings = new Dictionary<string, string> { ["Benchmarks:JobEnabled"] = "false" },
            Stores = [],
        });
        var orgs = await PeerSeed.SeedAsync(own, Ct);
        var small = orgs.Where(o => o.Industry == "apparel" && !o.Big).ToList();
        var big = orgs.Single(o => o.Big);
        var job = own.Services.GetRequiredService<PeerBenchmarkJob>();
        await job.RunOnceAsync(Ct);

        using var off = await small[4].Admin.PutAsJsonAsync($"/api/tenants/{small[4].Tenant}/benchmarks/settings", new { takesPart = false }, Ct);
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.Equal(orgs.Count - 1, await job.RunOnceAsync(Ct));

        AssertCohort(await BenchmarksAsync(small[0]), small[0], [.. small.Take(4), big], "Industry", "apparel", "*");
        var settings = (await small[4].Admin.GetFromJsonAsync<BenchmarkSettingsView>($"/api/tenants/{small[4].Tenant}/benchmarks/settings", Json, Ct))!;
        Assert.Equal((false, true), (settings.TakesPart, settings.Chosen));
        using var audit = await small[4].Admin.GetAsync($"/api/tenants/{small[4].Tenant}/audit", Ct);
        Assert.Contains("takes part no", await audit.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_endpoint_answers_with_another_organisations_figures()
    {
        var orgs = app.Orgs;
        await app.Services.GetRequiredService<PeerBenchmarkJob>().RunOnceAsync(Ct);

        // What is stored is cohorts of five or more, with no organisation named.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var rows = await scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>().Set<BenchmarkCohortRow>().ToListAsync(Ct);
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.True(r.Contributors >= PeerCohorts.MinimumPeers));
        }

        // Another organisation's benchmarks and settings are not there for a non-member; the own answer names nobody else.
        var me = orgs[0];
        foreach (var other in orgs.Skip(1))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await me.Admin.GetAsync($"/api/tenants/{other.Tenant}/benchmarks", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await me.Admin.GetAsync($"/api/tenants/{other.Tenant}/benchmarks/settings", Ct)).StatusCode);
        }

        var text = await me.Admin.GetStringAsync($"/api/tenants/{me.Tenant}/benchmarks", Ct);
        Assert.All(orgs.Skip(1), other => Assert.DoesNotContain(other.Tenant, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_industry_is_refused_with_a_problem_and_nothing_is_changed()
    {
        var tenant = $"bench-{Guid.NewGuid():N}"[..16];
        using var admin = app.CreateSignedInClient(OrgRole.Admin, tenant);
        using var ok = await admin.PutAsJsonAsync($"/api/tenants/{tenant}/benchmarks/settings", new { industry = "pets", takesPart = true }, Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var bad = await admin.PutAsJsonAsync($"/api/tenants/{tenant}/benchmarks/settings", new { industry = "widgets", takesPart = false }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'widgets' is not an industry", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var settings = (await admin.GetFromJsonAsync<BenchmarkSettingsView>($"/api/tenants/{tenant}/benchmarks/settings", Json, Ct))!;
        Assert.Equal(("pets", true), (settings.Industry, settings.TakesPart));
        using var viewer = app.CreateSignedInClient(OrgRole.Viewer, tenant);
        using var refused = await viewer.PutAsJsonAsync($"/api/tenants/{tenant}/benchmarks/settings", new { takesPart = false }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task The_you_vs_peers_widget_shows_a_metric_against_its_cohort_and_hides_it_with_the_reason_when_it_cannot()
    {
        var orgs = app.Orgs;
        var small = orgs.Where(o => o.Industry == "apparel" && !o.Big).ToList();
        await app.Services.GetRequiredService<PeerBenchmarkJob>().RunOnceAsync(Ct);
        var me = small[1];

        // The metric against the quartiles of the five small apparel shops, as this test computes them.
        var aov = await WidgetAsync(me.Admin, $"/api/tenants/{me.Tenant}/benchmarks/widget/average-order-value");
        var values = small.Select(p => p.Expected(BenchmarkMetric.AverageOrderValue)!.Value).ToList();
        Assert.Equal((null, me.Expected(BenchmarkMetric.AverageOrderValue), new CohortView("IndustryAndBand", "apparel", "under-10k", 5)),
            (aov.Hidden, aov.You, aov.Cohort));
        Assert.Equal((Quartile(values, 1), Quartile(values, 2), Quartile(values, 3)), (aov.P25, aov.P50, aov.P75));

        // Nobody has ad spend, so no cohort of five has a ROAS: hidden, with the reason and no figure at all.
        var roas = await WidgetAsync(me.Admin, $"/api/tenants/{me.Tenant}/benchmarks/widget/roas");
        Assert.Equal((PeerWidgetHidden.CohortTooSmall, null, null, null), (roas.Hidden, roas.Cohort, roas.P50, roas.You));
        Assert.Contains("at least 5 organisations", roas.Message, StringComparison.Ordinal);

        // An unknown metric is a problem; a board stores a peers widget of a benchmark metric and refuses it per channel.
        using var unknown = await me.Admin.GetAsync($"/api/tenants/{me.Tenant}/benchmarks/widget/revenue", Ct);
        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (unknown.StatusCode, unknown.Content.Headers.ContentType?.MediaType));
        var board = new DashboardInput("Peers", [new LayoutItem("p", 0, 0, 4, 4)],
            [new Widget("p", "peers", null, new WidgetSettings("average-order-value", "today", "none"))]);
        using var perChannel = await me.Admin.PostAsJsonAsync($"/api/tenants/{me.Tenant}/dashboards",
            board with { Widgets = [board.Widgets[0] with { Settings = board.Widgets[0].Settings with { Channel = "Shopify" } }] }, Json, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, perChannel.StatusCode);
        Assert.Contains("whole organisation", await perChannel.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var created = await me.Admin.PostAsJsonAsync($"/api/tenants/{me.Tenant}/dashboards", board, Json, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // A wallboard reads the same answer through its share link, with no one signed in; another token reads nothing.
        var dashboard = (await created.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!;
        using var shared = await me.Admin.PostAsync($"/api/tenants/{me.Tenant}/dashboards/{dashboard.Id}/share", null, Ct);
        var link = (await shared.Content.ReadFromJsonAsync<ShareLinkCreated>(Json, Ct))!;
        using var anonymous = app.CreateClient();
        Assert.Equal(aov, await WidgetAsync(anonymous, $"/api/wall/{link.Token}/stores/{me.Tenant}/shop/benchmarks/average-order-value"));
        using var stranger = await anonymous.GetAsync($"/api/wall/{ShareTokens.Create()}/stores/{me.Tenant}/shop/benchmarks/average-order-value", Ct);
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
    }

    private static async Task<PeerWidgetView> WidgetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PeerWidgetView>(Json, Ct))!;
    }

    private static void AssertCohort(BenchmarksView view, SeededOrg me, IReadOnlyList<SeededOrg> peers, string level, string industry, string band)
    {
        foreach (var metric in Known)
        {
            var row = view.Metrics.Single(m => m.Metric == metric.ToString());
            var values = peers.Select(p => p.Expected(metric)!.Value).ToList();
            Assert.Equal(me.Expected(metric), row.You);
            Assert.Equal(new CohortView(level, industry, band, peers.Count), row.Cohort);
            Assert.Equal((Quartile(values, 1), Quartile(values, 2), Quartile(values, 3)), (row.P25, row.P50, row.P75));
        }
    }

    private async Task<BenchmarksView> BenchmarksAsync(SeededOrg org) =>
        (await org.Admin.GetFromJsonAsync<BenchmarksView>($"/api/tenants/{org.Tenant}/benchmarks", Json, Ct))!;

    private static decimal Quartile(List<decimal> values, int q) => PeerSeed.Quartile(values, q);
}
