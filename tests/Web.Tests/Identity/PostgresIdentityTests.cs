using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Identity;

/// <summary>Sign-up, sign-in and API keys with identity in PostgreSQL (SALESDASH_POSTGRES), each test in a database of its own.</summary>
public sealed class PostgresIdentityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_up_sign_in_and_api_keys_work_on_postgresql_and_survive_a_restart()
    {
        var server = Environment.GetEnvironmentVariable("SALESDASH_POSTGRES");
        Assert.False(string.IsNullOrWhiteSpace(server), "SALESDASH_POSTGRES is not set: run scripts/services/postgres.sh and export its last line.");
        var database = $"salesdash_identity_{Guid.NewGuid():N}";
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        var settings = new Dictionary<string, string> { ["AppDatabase:Provider"] = "PostgreSQL", ["AppDatabase:ConnectionString"] = connectionString };
        var email = $"pg-{Guid.NewGuid():N}@test.test";
        try
        {
            string key;
            string orgId;
            string cookie;
            await using (var first = new IdentityAppFactory(settings))
            {
                var client = first.CreateClient();
                using var signUp = await client.PostAsJsonAsync("/api/auth/sign-up", SignInTests.SignUp(email, "Postgres Org", "America/New_York", "USD"), Ct);
                Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
                orgId = (await signUp.Content.ReadFromJsonAsync<MeResponse>(SignInTests.Json, Ct))!.Organisations.Single().Id;
                var setCookie = signUp.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("SalesDash.Auth=", StringComparison.Ordinal));
                cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
                using var created = await client.PostAsJsonAsync($"/api/tenants/{orgId}/api-keys", new { name = "pg", scopes = new[] { "read" } }, Ct);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                key = (await created.Content.ReadFromJsonAsync<ApiKeyCreated>(SignInTests.Json, Ct))!.Key;
            }

            // A second start (another node, or a restart) finds the schema, the user, the cookie keys and the API key:
            // the cookie the first node issued is accepted by the second, because the key ring is in the database.
            await using var second = new IdentityAppFactory(settings);
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/me"))
            {
                request.Headers.Add("Cookie", cookie);
                using var carried = await second.CreateClient(new() { HandleCookies = false }).SendAsync(request, Ct);
                Assert.Equal(HttpStatusCode.OK, carried.StatusCode);
            }

            var again = second.CreateClient();
            using var signIn = await again.PostAsJsonAsync("/api/auth/sign-in", new { email, password = "Correct-horse-42" }, Ct);
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            var me = (await again.GetFromJsonAsync<MeResponse>("/api/me", SignInTests.Json, Ct))!;
            Assert.Equal(("Postgres Org", "Owner", "America/New_York"), (me.Organisations.Single().Name, me.Organisations.Single().Role, me.Organisations.Single().TimeZone));

            var api = second.CreateClient(new() { HandleCookies = false });
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/tenants/{orgId}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/tenants/acme", Ct)).StatusCode);

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(Ct);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM \"AspNetUsers\" WHERE \"Email\" = @email AND \"PasswordHash\" NOT LIKE '%Correct-horse%'", connection);
            count.Parameters.AddWithValue("email", email);
            Assert.Equal(1L, (long)(await count.ExecuteScalarAsync(Ct))!);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync(Ct);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync(Ct);
        }
    }
}
