using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Tests.Plans;

/// <summary>White-label branding: only where the plan includes it, checked before it is stored, shown on the wall.</summary>
public sealed class BrandingApiTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The 8-byte PNG signature and an IHDR start: enough for the signature check.</summary>
    private static readonly string PngLogo = "data:image/png;base64," + Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Svg(string body) => "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(body));

    [Fact]
    public async Task Starter_org_is_told_white_label_needs_the_scale_plan()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Starter, Ct);
        var client = app.ClientFor(tenant);

        using var get = await client.GetAsync($"/api/tenants/{tenant}/branding", Ct);
        using var put = await client.PutAsJsonAsync($"/api/tenants/{tenant}/branding", new Branding("Acme Pulse", "#112233", "#445566", null), Ct);

        foreach (var response in new[] { get, put })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var problem = await response.ProblemAsync(Ct);
            Assert.Equal("The Starter plan does not include white-label branding. The Scale plan includes it.", problem["detail"].GetString());
            Assert.Equal(PlanLimitProblems.Type, problem["type"].GetString());
        }

        Assert.Equal(Branding.SalesDash, await client.GetFromJsonAsync<Branding>($"/api/tenants/{tenant}/branding/effective", Json, Ct));
    }

    [Fact]
    public async Task Scale_org_branding_is_in_effect_and_on_its_wallboard_until_it_downgrades()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Scale, Ct);
        var client = app.ClientFor(tenant);
        var branding = new Branding("  Acme Pulse ", "#11AA33", "#445566", PngLogo);

        using var put = await client.PutAsJsonAsync($"/api/tenants/{tenant}/branding", branding, Ct);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var expected = new Branding("Acme Pulse", "#11aa33", "#445566", PngLogo);
        Assert.Equal(expected, (await put.Content.ReadFromJsonAsync<BrandingSettings>(Json, Ct))!.InEffect);
        Assert.Equal(expected, await client.GetFromJsonAsync<Branding>($"/api/tenants/{tenant}/branding/effective", Json, Ct));

        using var board = await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", new DashboardInput("Wall", [], []), Ct);
        var id = (await board.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!.Id;
        using var share = await client.PostAsync($"/api/tenants/{tenant}/dashboards/{id}/share", null, Ct);
        var token = (await share.Content.ReadFromJsonAsync<ShareLinkCreated>(Json, Ct))!.Token;
        var anonymous = app.CreateClient();
        Assert.Equal(expected, (await anonymous.GetFromJsonAsync<WallView>($"/api/wall/{token}", Json, Ct))!.Branding);
        Assert.Equal(expected, await anonymous.GetFromJsonAsync<Branding>($"/api/wall/{token}/branding", Json, Ct));

        // The operator moves the organisation down (the tier Stripe's webhooks would also set).
        await app.Services.GetRequiredService<IPlanStore>().SaveAsync(new StoredPlan(tenant, PlanTier.Growth, app.Clock.GetUtcNow(), "test"), Ct);
        Assert.Equal(Branding.SalesDash, (await anonymous.GetFromJsonAsync<WallView>($"/api/wall/{token}", Json, Ct))!.Branding);
    }

    [Theory]
    [InlineData("productName", "", "#112233", "A product name is required.")]
    [InlineData("productName", "A name far too long for any header bar at all, surely", "#112233", "A product name is at most 40 characters (this one has 53).")]
    [InlineData("primaryColour", "Acme", "blue", "A colour is written #rrggbb, e.g. #1f6feb.")]
    public async Task Bad_name_or_colour_is_refused_naming_the_field(string field, string name, string colour, string message)
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Enterprise, Ct);

        using var put = await app.ClientFor(tenant).PutAsJsonAsync($"/api/tenants/{tenant}/branding", new Branding(name, colour, "#445566", null), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(message, (await put.ProblemAsync(Ct))["errors"].GetProperty(field)[0].GetString());
    }

    public static TheoryData<string, string> BadLogos => new()
    {
        { Svg("""<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"""), "The SVG logo contains <script>, which can run script; remove it and upload again." },
        { Svg("""<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>"""), "The SVG logo has an event attribute 'onload', which runs script; remove it and upload again." },
        { Svg("""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>"""), "The SVG logo links outside itself (href); a logo may only refer to its own parts (#id)." },
        { Svg("""<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>"""), "The SVG logo is not well-formed XML" },
        { "data:image/gif;base64,R0lGODlh", "A logo is a PNG or SVG data URI starting 'data:image/png;base64,' or 'data:image/svg+xml;base64,'." },
        { "data:image/png;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes("GIF89a not a png")), "The logo says PNG but is not a PNG image." },
        { "data:image/png;base64," + Convert.ToBase64String(new byte[101 * 1024]), "A logo is at most 100 KB." },
    };

    [Theory]
    [MemberData(nameof(BadLogos))]
    public async Task Logo_that_could_run_script_or_is_not_a_small_png_or_svg_is_refused(string logo, string message)
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Enterprise, Ct);

        using var put = await app.ClientFor(tenant).PutAsJsonAsync($"/api/tenants/{tenant}/branding", new Branding("Acme", "#112233", "#445566", logo), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.StartsWith(message, (await put.ProblemAsync(Ct))["errors"].GetProperty("logoDataUri")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_svg_logo_is_accepted()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Enterprise, Ct);
        var logo = Svg("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"/></defs><rect width="10" height="10" fill="url(#g)"/></svg>""");

        using var put = await app.ClientFor(tenant).PutAsJsonAsync($"/api/tenants/{tenant}/branding", new Branding("Acme", "#112233", "#445566", logo), Ct);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }
}
