'\N{' '\x' '\u12' b'\777' '\N{NO SUCH NAME}'
