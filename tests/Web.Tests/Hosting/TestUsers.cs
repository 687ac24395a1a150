using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Tests.Hosting;

/// <summary>
/// People for tests: a user with a role in given organisations, signed in through the real POST /api/auth/sign-in,
/// as an HttpClient that keeps the cookie or a SignalR connection that sends it.
/// </summary>
public static class TestUsers
{
    public const string Password = "Test-password-123";

    /// <summary>
    /// A new user who is <paramref name="role"/> in each of <paramref name="organisations"/> (created when missing),
    /// or in every organisation the app has when none are named. Returns the user's e-mail.
    /// </summary>
    public static async Task<string> CreateMemberAsync(this SalesDashHost app, OrgRole role, params string[] organisations)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (organisations.Length == 0)
        {
            organisations = await db.Organisations.Select(o => o.Id).ToArrayAsync();
        }

        foreach (var id in organisations.Where(id => !db.Organisations.Any(o => o.Id == id)))
        {
            db.Organisations.Add(new Organisation { Id = id, Name = id, TimeZone = "UTC", ReportingCurrency = "USD", CreatedAt = DateTimeOffset.UtcNow });
        }

        await db.SaveChangesAsync();
        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@test.salesdash";
        var user = new AppUser { UserName = email, Email = email, DisplayName = $"Test {role}", CreatedAt = DateTimeOffset.UtcNow };
        var created = await users.CreateAsync(user, Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        foreach (var id in organisations)
        {
            db.Memberships.Add(new Membership { OrganisationId = id, UserId = user.Id, Role = role, JoinedAt = DateTimeOffset.UtcNow });
        }

        await db.SaveChangesAsync();
        return email;
    }

    /// <summary>
    /// A client that, before its first request, creates a member (<see cref="CreateMemberAsync"/>) and signs in as
    /// them; the cookie is kept for every later request. Default: Owner of every organisation.
    /// </summary>
    public static HttpClient CreateSignedInClient(this SalesDashHost app, OrgRole role = OrgRole.Owner, params string[] organisations) =>
        app.CreateDefaultClient(new SignInFirstHandler(ct => app.CreateMemberAsync(role, organisations)), new CookieContainerHandler());

    /// <summary>A client signed in as an existing user.</summary>
    public static HttpClient CreateClientSignedInAs(this SalesDashHost app, string email) =>
        app.CreateDefaultClient(new SignInFirstHandler(_ => Task.FromResult(email)), new CookieContainerHandler());

    /// <summary>The sign-in cookie ("name=value") of a user, for SignalR or a browser.</summary>
    public static async Task<string> SignInCookieAsync(this SalesDashHost app, string email)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var response = await client.PostAsJsonAsync("/api/auth/sign-in", new { email, password = Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("SalesDash.Auth=", StringComparison.Ordinal));
        return cookie[..cookie.IndexOf(';', StringComparison.Ordinal)];
    }

    /// <summary>A hub connection that signs in as a new member (default: Owner of every organisation) when it connects.</summary>
    public static HubConnection CreateSignedInHubConnection(this SalesDashHost app, OrgRole role = OrgRole.Owner, params string[] organisations) =>
        HubConnection(app, async () => await app.SignInCookieAsync(await app.CreateMemberAsync(role, organisations)));

    /// <summary>A hub connection signed in as an existing user.</summary>
    public static HubConnection CreateHubConnectionSignedInAs(this SalesDashHost app, string email) =>
        HubConnection(app, async () => await app.SignInCookieAsync(email));

    /// <summary>A hub connection authenticated with an API key ("Authorization: Bearer ...").</summary>
    public static HubConnection CreateHubConnectionWithApiKey(this SalesDashHost app, string key) =>
        HubConnection(app, () => Task.FromResult<string?>(null), $"Bearer {key}");

    /// <summary>A hub connection with no sign-in (wallboards with a share token).</summary>
    public static HubConnection CreateAnonymousHubConnection(this SalesDashHost app) => HubConnection(app, () => Task.FromResult<string?>(null));

    private static HubConnection HubConnection(SalesDashHost app, Func<Task<string?>> cookie, string? authorization = null)
    {
        var server = app.Server;
        return new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "hubs/dashboard"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.WebSocketFactory = async (context, cancellationToken) =>
                {
                    var client = server.CreateWebSocketClient();
                    var value = await cookie();
                    if (value is not null)
                    {
                        client.ConfigureRequest = request => request.Headers.Cookie = value;
                    }
                    else if (authorization is not null)
                    {
                        client.ConfigureRequest = request => request.Headers.Authorization = authorization;
                    }

                    return await client.ConnectAsync(context.Uri, cancellationToken);
                };
            })
            .Build();
    }

    private sealed class SignInFirstHandler(Func<CancellationToken, Task<string>> user) : DelegatingHandler
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private bool _signedIn;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!_signedIn)
            {
                await _gate.WaitAsync(cancellationToken);
                try
                {
                    if (!_signedIn)
                    {
                        var email = await user(cancellationToken);
                        using var signIn = new HttpRequestMessage(HttpMethod.Post, new Uri(request.RequestUri!, "/api/auth/sign-in"))
                        {
                            Content = JsonContent.Create(new { email, password = Password }),
                        };
                        using var response = await base.SendAsync(signIn, cancellationToken);
                        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                        _signedIn = true;
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _gate.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
