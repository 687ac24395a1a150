using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Alerts;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Identity;

/// <summary>Members, invitations by e-mail, stores under a plan, and API keys (scope, revocation, rate limit, plan gating).</summary>
public sealed partial class MembersAndKeysTests(PlansAndLimitsAppFactory app) : IClassFixture<PlansAndLimitsAppFactory>
{
    private static readonly JsonSerializerOptions Json = SignInTests.Json;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string?> Detail(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString();

    private HttpClient KeyClient(string key)
    {
        var client = app.CreateClient(new() { HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private async Task<ApiKeyCreated> CreateKeyAsync(HttpClient admin, string tenant, string name, params string[] scopes)
    {
        using var response = await admin.PostAsJsonAsync($"/api/tenants/{tenant}/api-keys", new { name, scopes }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ApiKeyCreated>(Json, Ct))!;
    }

    [Fact]
    public async Task Invitation_is_emailed_and_the_invited_person_joins_with_that_role()
    {
        var (_, _, maildir) = SmtpServer.Require();
        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        var email = $"invitee-{Guid.NewGuid():N}@acme.test";

        using var invited = await admin.PostAsJsonAsync("/api/tenants/acme/invitations", new { email, role = "Analyst" }, Ct);
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var invitation = (await invited.Content.ReadFromJsonAsync<InvitationCreated>(Json, Ct))!;
        Assert.True(invitation.Emailed);
        Assert.Null(invitation.AcceptUrl);

        MimeKit.MimeMessage? mail = null;
        for (var i = 0; i < 100 && mail is null; i++)
        {
            mail = SmtpServer.MessagesContaining(maildir, email).FirstOrDefault();
            await Task.Delay(100, Ct);
        }

        Assert.NotNull(mail);
        Assert.Equal("Test Admin invited you to acme on SalesDash", mail.Subject);
        var token = InvitationLink().Match(mail.TextBody ?? string.Empty).Groups[1].Value;
        Assert.NotEmpty(token);

        // Someone else signed in cannot use it; the invited person can, once.
        var stranger = app.CreateSignedInClient(OrgRole.Viewer, "globex");
        using var wrongPerson = await stranger.PostAsync($"/api/invitations/{token}/accept", null, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, wrongPerson.StatusCode);

        var invitee = app.CreateClient();
        using var signUp = await invitee.PostAsJsonAsync("/api/auth/sign-up", SignInTests.SignUp(email, "Invitee Ltd"), Ct);
        Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
        using var accepted = await invitee.PostAsync($"/api/invitations/{token}/accept", null, Ct);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var me = (await invitee.GetFromJsonAsync<MeResponse>("/api/me", Json, Ct))!;
        Assert.Equal("Analyst", me.Organisations.Single(o => o.Id == "acme").Role);
        Assert.Equal(HttpStatusCode.NotFound, (await invitee.PostAsync($"/api/invitations/{token}/accept", null, Ct)).StatusCode);

        var listed = await admin.GetFromJsonAsync<InvitationView[]>("/api/tenants/acme/invitations", Json, Ct);
        Assert.Equal("Accepted", listed!.Single(i => i.Id == invitation.Id).Status);
    }

    [Fact]
    public async Task Only_an_owner_makes_owners_and_the_last_owner_cannot_leave()
    {
        var owner = app.CreateSignedInClient(OrgRole.Owner, "owners-test");
        var admin = app.CreateSignedInClient(OrgRole.Admin, "owners-test");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/me", Ct)).StatusCode); // signs the admin in, and so creates them
        var members = (await owner.GetFromJsonAsync<MemberView[]>("/api/tenants/owners-test/members", Json, Ct))!;
        var ownerId = members.Single(m => m.Role == "Owner").UserId;
        var adminId = members.Single(m => m.Role == "Admin").UserId;

        using var promote = await admin.PutAsJsonAsync($"/api/tenants/owners-test/members/{adminId}", new { role = "Owner" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, promote.StatusCode);
        Assert.Equal("Only an Owner can make or unmake Owners.", await Detail(promote));

        using var removeOwner = await admin.DeleteAsync($"/api/tenants/owners-test/members/{ownerId}", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, removeOwner.StatusCode);

        using var leave = await owner.DeleteAsync($"/api/tenants/owners-test/members/{ownerId}", Ct);
        Assert.Equal(HttpStatusCode.Conflict, leave.StatusCode);
        Assert.Equal("An organisation needs at least one Owner: make someone else Owner first.", await Detail(leave));

        using var demote = await owner.PutAsJsonAsync($"/api/tenants/owners-test/members/{adminId}", new { role = "Viewer" }, Ct);
        Assert.Equal(HttpStatusCode.OK, demote.StatusCode);
        // The change is live at once: the former admin can no longer list members.
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/tenants/owners-test/members", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_store_beyond_the_plans_sales_channels_is_refused_with_the_plan_named()
    {
        var admin = app.CreateSignedInClient(OrgRole.Admin, "globex");
        var store = new { name = "Globex DE", shopDomain = "globex-de.myshopify.com", currency = "EUR", timeZone = "Europe/Berlin", webhookSecret = "globex-de-secret" };

        using var response = await admin.PostAsJsonAsync("/api/tenants/globex/stores", store, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("The Starter plan allows 1 sales channel; this organisation has 1. The Growth plan allows 3.", await Detail(response));
    }

    [Fact]
    public async Task An_admin_creates_a_store_that_then_has_live_tiles()
    {
        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        var store = new { name = "Acme FR", shopDomain = "acme-fr.myshopify.com", currency = "EUR", timeZone = "Europe/Paris", webhookSecret = "acme-fr-secret" };

        using var created = await admin.PostAsJsonAsync("/api/tenants/acme/stores", store, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var tiles = await admin.GetFromJsonAsync<JsonElement>("/api/tenants/acme/stores/acme-fr/tiles", Ct);
        Assert.Equal("EUR", tiles.GetProperty("currency").GetString());
        var analyst = app.CreateSignedInClient(OrgRole.Analyst, "acme");
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsJsonAsync("/api/tenants/acme/stores", store with { name = "Nope" }, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_read_key_reads_only_its_organisation_and_cannot_write()
    {
        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        var created = await CreateKeyAsync(admin, "acme", "BI export", "read");
        Assert.StartsWith(created.Prefix + "_", created.Key, StringComparison.Ordinal);

        var listed = await admin.GetStringAsync("/api/tenants/acme/api-keys", Ct);
        Assert.Contains(created.Prefix, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Key, listed, StringComparison.Ordinal);

        var key = KeyClient(created.Key);
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/tenants/acme/dashboards", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await key.GetAsync("/api/tenants/globex/stores/shop/tiles", Ct)).StatusCode);
        using var write = await key.PostAsJsonAsync("/api/tenants/acme/dashboards", new { name = "x", layout = Array.Empty<object>(), widgets = Array.Empty<object>() }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("This API key lacks the 'write' scope that POST requests need.", await Detail(write));
        // Keys cannot manage keys, whatever their scopes.
        Assert.Equal(HttpStatusCode.Forbidden, (await key.GetAsync("/api/tenants/acme/api-keys", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_write_key_writes_and_a_revoked_key_is_401()
    {
        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        var created = await CreateKeyAsync(admin, "acme", "Automation", "read", "write");
        var key = new HttpClient(app.Server.CreateHandler()) { BaseAddress = app.Server.BaseAddress };
        key.DefaultRequestHeaders.Add("X-Api-Key", created.Key);

        using var board = await key.PostAsJsonAsync("/api/tenants/acme/dashboards", new
        {
            name = "From the API",
            layout = new[] { new { i = "r", x = 0, y = 0, w = 4, h = 3 } },
            widgets = new[] { new { id = "r", kind = "kpi", title = "Revenue", settings = new { metric = "gross-revenue", period = "today", comparison = "none" } } },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, board.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/tenants/acme/api-keys/{created.Id}", Ct)).StatusCode);

        using var revoked = await key.GetAsync("/api/tenants/acme/dashboards", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("This API key was revoked.", await Detail(revoked));
        var view = (await admin.GetFromJsonAsync<ApiKeyView[]>("/api/tenants/acme/api-keys", Json, Ct))!.Single(k => k.Id == created.Id);
        Assert.NotNull(view.RevokedAt);
        Assert.NotNull(view.LastUsedAt);
    }

    [Fact]
    public async Task A_key_beyond_its_rate_is_429_with_retry_after_while_another_key_is_unaffected()
    {
        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        var busy = KeyClient((await CreateKeyAsync(admin, "acme", "Busy", "read")).Key);
        var quiet = KeyClient((await CreateKeyAsync(admin, "acme", "Quiet", "read")).Key);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last = await busy.GetAsync("/api/stores", Ct);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal("application/problem+json", last!.Content.Headers.ContentType?.MediaType);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.Equal(HttpStatusCode.OK, (await quiet.GetAsync("/api/stores", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_plan_without_api_access_refuses_keys_with_a_clear_message()
    {
        var admin = app.CreateSignedInClient(OrgRole.Admin, "globex");

        using var response = await admin.PostAsJsonAsync("/api/tenants/globex/api-keys", new { name = "BI", scopes = new[] { "read" } }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        // The plan-limit problem: it names the limit, the tier, and the least tier that includes it.
        var refused = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(("https://salesdash.dev/problems/plan-limit", "The Starter plan does not include API access. The Scale plan includes it.", "API access", "Starter", "Scale"),
            (refused.GetProperty("type").GetString(), refused.GetProperty("detail").GetString(), refused.GetProperty("limit").GetString(),
             refused.GetProperty("tier").GetString(), refused.GetProperty("upgradeTo").GetString()));

        // A key made while the plan allowed it stops working when the plan no longer does.
        var (prefix, secret, hash) = ApiKeySecrets.Generate();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
            db.ApiKeys.Add(new ApiKey { Id = Guid.NewGuid(), OrganisationId = "globex", Name = "Old", Prefix = prefix, SecretHash = hash, CanRead = true, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(Ct);
        }

        using var used = await KeyClient(secret).GetAsync("/api/tenants/globex/stores/shop/tiles", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, used.StatusCode);
        var usedRefusal = await used.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(("https://salesdash.dev/problems/plan-limit", "The Starter plan does not include API access. The Scale plan includes it.", "Scale"),
            (usedRefusal.GetProperty("type").GetString(), usedRefusal.GetProperty("detail").GetString(), usedRefusal.GetProperty("upgradeTo").GetString()));
    }

    [GeneratedRegex(@"/invitations/([A-Za-z0-9_-]+)")]
    private static partial Regex InvitationLink();
}
