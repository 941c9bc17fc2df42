namespace ReleaseBoard.Tests.Support;

/// <summary>The checkout the tests run from: the folder holding ReleaseBoard.sln above the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "ReleaseBoard.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("ReleaseBoard.sln not found above the tests");
    }
}
