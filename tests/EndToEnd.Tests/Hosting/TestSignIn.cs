using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SalesDash.Web.Identity;

namespace SalesDash.EndToEnd.Tests.Hosting;

/// <summary>An app under test that has a signed-in owner the browser and API calls can act as.</summary>
public interface ISignedInApp
{
    Uri BaseAddress { get; }

    /// <summary>E-mail of a user who is Owner of every organisation the app started with.</summary>
    string OwnerEmail { get; }
}

/// <summary>People for browser tests: members with a role, signed in through the real POST /api/auth/sign-in.</summary>
public static class TestSignIn
{
    public const string Password = "E2E-password-123";

    /// <summary>A new user with <paramref name="role"/> in the named organisations, or in every organisation when none are named.</summary>
    public static async Task<string> CreateMemberAsync(IServiceProvider services, OrgRole role, params string[] organisations)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (organisations.Length == 0)
        {
            organisations = await db.Organisations.Select(o => o.Id).ToArrayAsync();
        }

        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@e2e.salesdash";
        var user = new AppUser { UserName = email, Email = email, DisplayName = $"E2E {role}", CreatedAt = DateTimeOffset.UtcNow };
        var created = await users.CreateAsync(user, Password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
        }

        foreach (var id in organisations)
        {
            db.Memberships.Add(new Membership { OrganisationId = id, UserId = user.Id, Role = role, JoinedAt = DateTimeOffset.UtcNow });
        }

        await db.SaveChangesAsync();
        return email;
    }

    /// <summary>An HttpClient at <paramref name="baseAddress"/> that has signed in as <paramref name="email"/> and keeps the cookie.</summary>
    public static async Task<HttpClient> SignedInClientAsync(Uri baseAddress, string email)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsJsonAsync(new Uri("api/auth/sign-in", UriKind.Relative), new { email, password = Password });
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Sign-in as {email} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return http;
    }

    /// <summary>Signs the page's browser context in (the cookie lands in the context, as after the sign-in page).</summary>
    public static Task SignInAsync(this IPage page, ISignedInApp app) => page.SignInAsync(app.BaseAddress, app.OwnerEmail);

    public static async Task SignInAsync(this IPage page, Uri baseAddress, string email)
    {
        ArgumentNullException.ThrowIfNull(page);
        var response = await page.Context.APIRequest.PostAsync(new Uri(baseAddress, "api/auth/sign-in").ToString(),
            new() { DataObject = new { email, password = Password } });
        if (response.Status != 200)
        {
            throw new InvalidOperationException($"Sign-in as {email} answered {response.Status}: {await response.TextAsync()}");
        }
    }
}
