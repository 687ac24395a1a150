using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Audit;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Plans;

/// <summary>Only members write audit rows; everyone else's attempts are counted, not stored.</summary>
public sealed class AuditAdmissionTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DashboardInput Board(string name) => new(
        name, [new LayoutItem("revenue", 0, 0, 4, 3)], [new Widget("revenue", "kpi", null, new WidgetSettings("gross-revenue", "today", "none"))]);

    [Fact]
    public async Task Refused_requests_from_strangers_add_no_rows_to_an_organisations_log_and_are_counted()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        var member = await app.MemberAsync(tenant, OrgRole.Admin);
        var outsiderOrg = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        var outsider = app.ClientFor(outsiderOrg);
        var anonymous = app.CreateClient();
        // Both sign in before counting starts: a sign-in is itself an anonymous POST under /api.
        (await outsider.GetAsync("/api/me", Ct)).EnsureSuccessStatusCode();
        (await member.Client.GetAsync("/api/me", Ct)).EnsureSuccessStatusCode();
        using var counted = new UnrecordedCounter(app.Services.GetRequiredService<IMeterFactory>());

        for (var i = 0; i < 25; i++)
        {
            using var anonymousTry = await anonymous.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board($"Spam {i}"), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymousTry.StatusCode);
            using var outsiderTry = await outsider.DeleteAsync($"/api/tenants/{tenant}/dashboards/spam-{i}", Ct);
            Assert.True(outsiderTry.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, outsiderTry.StatusCode.ToString());
        }

        // A member's own refused change is still recorded.
        using var invalid = await member.Client.PutAsJsonAsync($"/api/tenants/{tenant}/dashboards/nope", new DashboardInput("", [], []), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);

        var page = (await member.Client.GetFromJsonAsync<AuditPage>($"/api/tenants/{tenant}/audit", Json, Ct))!;
        Assert.Equal([("UpdateDashboard", 400, member.UserId)], page.Entries.Select(e => (e.Action, e.Status, e.ActorUserId)));
        Assert.Equal(25, counted.Of("anonymous"));
        Assert.Equal(25, counted.Of("not-a-member"));
    }

    /// <summary>Listens to this app's audit meter only (other apps run in parallel in the same process).</summary>
    private sealed class UnrecordedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _byCaller = [];

        public UnrecordedCounter(IMeterFactory meters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == AuditMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "salesdash.audit.unrecorded")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "caller" && tag.Value is string caller)
                    {
                        lock (_byCaller)
                        {
                            _byCaller[caller] = _byCaller.GetValueOrDefault(caller) + value;
                        }
                    }
                }
            });
            _listener.Start();
        }

        public long Of(string caller)
        {
            lock (_byCaller)
            {
                return _byCaller.GetValueOrDefault(caller);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
