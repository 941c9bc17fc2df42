using System.Net;
using System.Text.RegularExpressions;

namespace ReleaseBoard.Tests.Support;

/// <summary>Signs in through the real login form (antiforgery token and all), as a browser would.</summary>
public static partial class SignIn
{
    public static async Task<HttpResponseMessage> PostLoginAsync(
        HttpClient client,
        string email,
        string password,
        string loginPath = "/account/login"
    )
    {
        var page = await client.GetStringAsync(loginPath);
        var fields = HiddenFields(page);
        fields["Input.Email"] = email;
        fields["Input.Password"] = password;
        return await client.PostAsync(loginPath, new FormUrlEncodedContent(fields));
    }

    /// <summary>A client that keeps cookies, does not follow redirects, and is signed in.</summary>
    public static async Task<HttpClient> SignedInClientAsync(
        Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app,
        string email,
        string password
    )
    {
        var client = app.CreateClient(
            new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
            {
                BaseAddress = ReleaseBoardAppFactory.Https,
                AllowAutoRedirect = false,
                HandleCookies = true,
            }
        );
        var response = await PostLoginAsync(client, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        return client;
    }

    /// <summary>A page's hidden inputs, one per name (a page with two forms carries the same token twice).</summary>
    public static Dictionary<string, string> HiddenFields(string html) =>
        HiddenInputs()
            .Matches(html)
            .GroupBy(m => WebUtility.HtmlDecode(m.Groups["name"].Value))
            .ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.Last().Groups["value"].Value));

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInputs();
}
