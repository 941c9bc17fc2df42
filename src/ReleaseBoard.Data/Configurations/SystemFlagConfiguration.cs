using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class SystemFlagConfiguration : IEntityTypeConfiguration<SystemFlag>
{
    public void Configure(EntityTypeBuilder<SystemFlag> builder)
    {
        builder.HasKey(f => f.Name);
        builder.Property(f => f.Name).HasMaxLength(64);
        builder.Property(f => f.Value).HasMaxLength(400);
    }
}
