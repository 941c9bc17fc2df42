using ReleaseBoard.Web.Features.Access;

namespace ReleaseBoard.Tests.Features.Access;

public class AccessRulesTests
{
    [Fact]
    public void Single_sign_on_values_map_to_roles_and_unknown_ones_are_ignored()
    {
        var map = new Dictionary<string, string>
        {
            ["rb-admins"] = "Admin",
            ["rb-leads"] = "approver",
            ["rb-typo"] = "Boss",
        };

        var roles = AccessSetup.MapRoles(["rb-leads", "everyone", "rb-admins", "rb-typo", "rb-leads"], map);

        Assert.Equal(["Approver", "Admin"], roles);
    }

    [Fact]
    public void Secrets_are_random_url_safe_and_stored_as_a_sha256_hash()
    {
        var first = SecretToken.Create("rbk_");
        var second = SecretToken.Create("rbk_");

        Assert.NotEqual(first, second);
        Assert.Matches("^rbk_[A-Za-z0-9_-]{43}$", first);
        Assert.Matches("^[0-9a-f]{64}$", SecretToken.Hash(first));
        Assert.Equal(SecretToken.Hash(first), SecretToken.Hash(first));
        Assert.Equal(first[..10], SecretToken.DisplayPrefix(first));
    }

    [Theory]
    [InlineData("viewer", "Viewer")]
    [InlineData(" ADMIN ", "Admin")]
    [InlineData("root", null)]
    [InlineData(null, null)]
    public void Role_names_are_read_case_insensitively(string? given, string? expected) =>
        Assert.Equal(expected, Roles.Parse(given));
}
