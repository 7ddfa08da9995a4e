/**
 * Real media the simulated camera serves, embedded so the built package needs no asset files.
 * Generated once with ffmpeg (see simulators/assets/README.md); the originals sit next to that README.
 */

/** A 96x72 JPEG of ffmpeg's testsrc pattern. */
export const SNAPSHOT_JPEG: Buffer = Buffer.from(
  '/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgUFBcUFxsbGxsbGyAeICEhISAgICAhISEkJCQqKiokJCQhISQkKCgqKi4vLisr' +
  'KisvLzIyMjw8OTlGRkhWVmf/xACkAAADAQEBAQEBAAAAAAAAAAAABgcIBQQDAgEBAAIDAQEAAAAAAAAAAAAAAAAHBgUIBAMQAAEDAgQEAwQHCQEAAAAAAAEC' +
  'AAQDEUKCEsFRITFBYQUisdHSE3GhFZGig7MGMoEkUzQ1dGIjEQAAAwMKBAMFCAMBAAAAAAAAAgEEAxGCgcJDwTEhQgUSUdJBE9GiFaEicWEUsgaRNCNzUlNj' +
  'sTKj/8AAEQgASABgAwESAAISAAMSAP/aAAwDAQACEQMRAD8Az+xgAADNBx5d31fKKBkLqDokaSo/fyHiXVNGWewWPZ7xypciRVV/DD4qGBpFdIpCF+pl0xnf' +
  'Hgh3h1IV2VV6wNEypGO0vWHVUTCMQ4Roiq/qJ0o491fR73RgABYcgHxM7Mr73l90vtX4eInaJDBMBJ9X1x3py9ohUevlTEsYFdxTBTwxVVwXYkFVMYphHKBj' +
  'GOZTGVTGMqqqqsVVVvVVW9VE6JKjcm7/AA5A6dO3JdrsqETgifKEV4r81xHUNtOXDpnIhHRCkKnQqX4QivVVgmKrio7QszsGbZk7Bm2dsz5prQM+aa0L/V6m' +
  'XRBq9TLohZY7UAX4BsVjwAASoAWZ2DNsydgzbO2Z801oGfNNaF/q9TLog1epl0QsEA9eb/ruyHM7MhimUqpcpVVFSdB5CDEeHdGQxDGIZLjFVSqnTBUxuHgP' +
  'JGmioQhfJXZXZR2PtaA26ztfcgU+Bui9DLYohYZ+sfd8zIU7QzKp3SKqmdwiZ0XiixXeVMY9SpCMcVGmxo2Djy7tc8llCqFoURrSE9+agLjVx5ctXiRxbBaM' +
  's9gpSPu6REW8uCrx+fx4jIGkV0ikGY0aYVgaHpyKnbfruKWENioq7iwRETb7ybYdMOkVpLH6AHGAYAfUiUk15NCkq4TUq00EjrZSgDa4Ivz4MAAA0D5dCTEg' +
  '0FciuuDVURwUBoTewNgnsb2UVWdEnYM2ztmfNNaBnzTWhf6vUy6INXqZdELLHagC/AJqxykA3WALM7Bm2ZOwZtnbM+aa0DPmmtC/1epl0QavUy6IWWO1AF+A' +
  'bFY8AAEqAFmdgzbMnYM2ztmfNNaBnzTWhf6vUy6INXqZdELLHbAC/AJq/upKElaPmoVVphZXRAqa0/LBKxqKBSJQASbLINvSTycpFh2DcU9vgN1CH+quP4vf' +
  'wLzDzU5qoEqPWF9IKgsDEg21C10gnum5tqALW52DNs/ZnzTWgZ801o4NXqZdEGr1MuiNstL8kqqreWxlKsCEFHLhTUUDuedki/i7UAX4BlTy3++if7FH9RL8' +
  '8KomjLj1FmyUVqalHmbJSsEmw59ODAAANgzsGbZk7Bm2dsz5prQM+aa0L/V6mXRBq9TLohZY7UAX4BNWOUgG6wBZnYM2zJ2DNs7ZnzTWgZ801oX+r1MuiDV6' +
  'mXRCyx2oAvwDYrHgAAlQAszsGbZk7Bm2dsz5prQM+aa0L/V6mXRBq9TLohZY7YAX4BIVCp9pTPUnV/P6jpOk/wDlW1WTruLi9vUbd7vuqqFaSCEXUCFLFNAq' +
  'qv1vVCRUJULhZKrqBOq921BH+6fj7E8A6w3/AE9l/r8x+YKE7Bm2ZOwZtn1s+aa0DPmmtFBq9TLog1epl0Rpn9nv8XH/ADf1Vv0eRU1UvLIyVCxKVK7H0rWp' +
  'STy4pILtQBfgGU0wZK+lO+ZPxOpR+z4FaHSXm9i+AiD0XSsTQW8nmL4hnPhSKNSpWixhUBFVKNNQFWo3FhqKu5XbV1Nrv9x+zmjvUGV3Hc8hdlPYUKF6M6am' +
  'wNL3t7Hcdu6PvES/bxN8g1Xw/ZpqHUex9ao3X6oxLW+R5yhDFGazMDUW935icwbb8Sgx6o6p+se9uNR6d9XYVrvI85BngoYxtXYS3vvI85Bnl+JbKiV6ujQi' +
  '9r39SRw4l0MPULPqrFj+rfDI85QhnAZepaoxv+323u7buj7jxL9vEqcAjFEj+zZf9L8aPidrS9Mlb2Y1zzyn5QpnAYP1rP8Az8pvALNQxqlUUdV2/gr3NDkd' +
  '2pk0dvW5z53fONHug8E1BlNc88p+UKFyPbMnxlabVOl7+lfh/wAuTyO7RjjRNRSP6F8Kx1zjTroTvUF+p7Xa96G6PS/bD/qHAeTkOomxz0X+FXucxpvO3ouo' +
  'JUf+jrnGlzCjKwtJrnfmJzBquAwAE9H9qbQPprWlV5icwdBg6iv3ZrjexfARVwORWjKrLpJPpTqstfI6ASLq03BNhzsOrZi067ZXzrduLC7qVf8ASidPx6ai' +
  '5eNHb7abtu6OKJft4qnASRBbU+ZwEJCU1AlKQAAKawAB0AARYAOBqcFMqFvHi/Cu+gav6/MTmDcQStj6ABCgDNBx5d2QceXd1TRlnsA0ZZ7AwNIrpFIGkV0i' +
  'kKhFm/LGipcp7HuPA+H1hqr7Wdr2JtPFU6Lw+PyEcEW1n7v/AFRlfsu0rxYq8IuBXiwjuKtyHVcFjAqxiqosYugd5/Vf7yvpPtb8RUMiKioqKkUVMUVF6oK1' +
  'j/LOP2nf2UFQUyGRDFVFRURUVFiiotyovAU7B+TZv2HX2ECnOwZtmTsGbZytnzTWgZ801ojWr1MuiDV6mXRCyx2oAvwDYrHgAAlQAszsGbZk7Bm2dsz5prQM' +
  '+aa0L/V6mXRBq9TLohZY7YAX4Bx40E3C6o5dQj4vd97dW02dkuM8+KF5vD8RLA7tY+8Rdp3DGZd0VKZ+l0P8SouKrdvwhCJYxRRnwM0HHl3ZBx5d3VNGWewD' +
  'RlnsDA0iukUgaRXSKQZmOpAGAAf/2Q==',
  'base64',
);

/** One second of 96x72 MPEG-2 video in an MPEG-PS container, as Hikvision downloads are. */
export const RECORDING_CLIP: Buffer = Buffer.from(
  'AAABuiEAAQABwzNnAAABuwAJwzNnACH/4ODmAAAB4AffMQAD7DERAANfkQAAAbMGAEgj///gCAAAAbUUigABAAQAAAG4AAgAQAAAAQAAD//4AAABtY//80GA' +
  'AAABARv4fehACMEQAoEj/sEwAS89ezBA++AGaABkAwATBrYsml8hoJhX5rFOlOfJ5SDWN+z53sQGBDDAHRNxNDUjCisX/wEXJ469EATgDgBCALQC4NALgDIm' +
  'chgOwGIaA6DCYVvs/4DsMX/1IQjOlKerI3/v1AArAC8mADbgNgxGIYFfn6HZBMfBHLZf/VyVm/Qt8p4hgYUTEDCkZGFEfj+L673qUpLT0p/SlP/Sn9//1//9' +
  'f/N94C+uACMAYgMQB6kMyUpKITl9BC3CFDG6QJpF851XWCB96CABmAaAgAcgDoATAIAEwaGhpDATgBykAvAr0l5ACcmkIAPgMcBsNJSCiYA3DcTMz7J7//35' +
  '8AIgRP9gSABQTP/Lz16EAIgRP9gSABQTP/Lz19+APwQ/9g0BECWAHrzQQAMAQwHQDQEj/kEv/gNv9U3nwAiBE/2BIAFBM/8vQXnwAiBE/2BIAFBM/8v4xAH4' +
  'IYBQaAiABrrywQAMAQ/4wDQEj/kEsAgNvzqEpK7o/R8bu3C9ZgBSAEiQDRBYDEBN+WQt/0hjOkhIH7v+WVlvz0ZndftV8/vuwAlAHADoAelEzBqNi2LyCbsB' +
  'dBzLNQ4Huq4QQPtAQPzwB2CABqAPwBEAagGHKSUQwA1KAQgOi9iUAnJgZwGHQUWlulCSiWXyYXllctJ+/3v70AEYIgBQJH/YJgAl6C8CCB9sAJiwB8GgMAE5' +
  'MQngMCaGkPPiviiEGljE4mdKEErDchPJmV+gpOYIe99fYEIBgGgICsQg3Mkrp3FhP++FfN9doA5AFYCAALQE6QByAaJ6QKAJyiEWh98lHxCKKLKTuwSGFoSU' +
  'kx0dlQAAAAECG/h9+gAQPzgAnJoAYgBGANyE5aAGAA2LQAYAUDEvgLkwsNwDsm9AGSyhoaQ99i0ZHSQiiZkofXxAAMQC8mgDQAWADkAxIWKSTQDQAwATgMQx' +
  'AbvyuWQgKFhqMXkJQno/Rhuyd2O+v1UAEQIn+wJAAoJn/l1AD8EMAoNARAl/+68MEADAEP+MA0BI/5BLAIDb89fP76BfP764AZgiACgkf+gAyvTBA+EBEAgB' +
  'I/vBMAMvz4ARAif7AkACgmf+Xnr0IARAif7AkACgmf+Xnr68Afgh/7BoCIEsAPXpggAYAhgOgGgJH/IJf/Abf6pvPgBECJ/sCQAKCZ/5egvPgBECJ/sCQAKC' +
  'Z/5fxiAPwQwCQ0BEADXXlggAYAh/xgGgJH/IJYBAbfnr5/fQLwoFCaA7AqgBgBXgGQDEmAGACEsB0gB0APSywEwAfBuAQllBgCYvEwMAYlgGKEAOyw0MQUSw' +
  'EyElAZ3JqCtk/X2QApIYYQgColl5DgZZzWGXSCB8gAOADMAegggOAB0A6DQKgYABOSyVsEDQA6Z3+PbhV5wDUAJiYCB+oAJABmAOk4rE0somBoCYNLYAoATh' +
  'gGeTCxvDCakpH4CgmpKQS+Qiy0IPv05fkUAIgRP9gSABQTP/L9HAgfZgFxMAHQIH5wArIRMSWlBYDtADH8v78lgGpMDAGIbsMQjDMGk1OKzPkbb/9d9YAPwQ' +
  '/9g0BECWAHr3QQAMAQwHQDQEj/kEv/gNgAAAAQMb+VAgfnAhgUACEEcBYAeglgFk2/UAARAif7AkACgmf+X5ZACUA0AqAPwBEAMQEADooDIFQGIA8AMwKEIo' +
  'ahBLJpNAdFlFIGl9CM6fs6ftjffqYAIgRP9gSABQTP/LqAH4IYBQaAiBL/914YIAGAIf8YBoCR/yCWAQG356+f30C+f31wAzBEAFBI/9ABlemCB8ICIBACR/' +
  'eCYAZfnwAiBE/2BIAFBM/8vPXoQAiBE/2BIAFBM/8vPX14A/BD/2DQEQJYAevTBAAwBDAdANASP+QS/+A2/1TefACIET/YEgAUEz/y9BefACIET/YEgAUEz/' +
  'y/jEAfghgEhoCIAGuvLBAAwBD/jANASP+QSwCA2/PXy4CiQEwIIGQAWJxMAqAVcEECkBsGAFpXJpTgGYA+ALAMk0AqyA0DCSVw0YTAwBvt8gDDvr6jeHIQBo' +
  'UA6JoYGlBoCcYTC0FkwB0WAhAThoBkTOVxoZgwAuDSGkAyKQQk5CQKFIIWQQklFcmZHQhr7oAJwExYDEAPCV0YYA3d3NJQ7cdeeCB9cAIQEwAmBBAVAD8ohl' +
  'gFoAcjAG2R2AwAHzuNLQBPNflwAiBE/2BIAFBM/8v0GCB9GCH+OALwSADQSwDwGF+fAAiBE/2BIAFBM/8v0UCB9aAagUAMQQPzABWGgULJZSCaTAKfjEoYmg' +
  'MAGBMAoTUMnbgWJoYWhzuzo/ze+kAH4If+waAiBLAD19sCABgCGA6AaAkf8gl/8BsAAAAQQb+TEMAIQBcA6AJwE4wEgAYCvIxM9+hAByAaAGgA6AEoArLAQF' +
  'lJAMAKgO8QwEyQwhAFRSCg0aG8hFEIklIApywCxAQjJxQ1G27XggBeB++gAC8D98sAgBAAtALgB2GAYJpNAdoyWclFhm6vuaV76AAIAQPywB2QgEJCAT4hAJ' +
  'iWGDW3KDRgFyuV3AUucnss+2KAQgUDSQW4cki68OUALwC4NJBDcEgAMNIpV9MAMjLzwBoZaAD0EAFIASFs4CcAvCHYAAAAHgB/oxAAV40REAA+wxKQKGsCMA' +
  'MKvhgBqAYEwED7wAMgQf60pAdABwAWgYADr4McArAwNGgFuJrsBhDMx/v5yAJgAvAGwBgAH4BWA7JRLAwMAKCGlxhLckBnH65PBA/MAEGPAMwSgBwGIJoA19' +
  'PJttDb78AMQQAQwBcAgDSyygHYBr+A9DSF8rMYTNfOADIEAD0AaADwBATAExMAqAhSUGDW6Q0mdPGlpL7/EzY9PMvvEIASADsB2ATAUGgkf+EzEcvXlgAqBA' +
  'ArAFZMAKxoCBiWBgYCF/0A67sS3OJovH2QAXAevn4AuA9eWAMQQPoQAvJgYWVgEAA8bjyEA7dXcEX/i7g0AQAIAAsAQlAJwEwaQw0smEsZiakpKONKSV3xSE' +
  'c5PNv1xYASADEMJICZgSP+wKEQNvLlloDCT2APrhgGZt6EA1NvfBB+uAEoBeSgMgJgC5DOwwmAVx7DyHx1+jggfbAGIaAF4AdAB3igwANACsBsA23QNALQMD' +
  'SWS+l2AwhmY/3ywB0AKSEAOgEwBeGlYArAriYSwHQDp0hgAfk0MKDegmAN+UlAYS0jEEtKkO/Ovv5NBAA4BA/VATk0NIZNANCyGTSaWkNDQ0NAQgJiyw0svu' +
  'kstKQHfSlKf/0p/f9fvkJMsYZeIANgB6TQBeGgZAqgorls4GN9jmA/032IBkAEYBeAMAEwYAgIRMAokomDW4aUG9ISWkvuxaMekcdAAAAQUb+H3oQAjBEAKB' +
  'I/7BMAEvPXoQAjBEAKBI/7BMAEuUAffgB2GAIwSwA/e4CB+ioASAGoJAAwJf/AZf0QASgBMAG5fAdgICUUTe/DQzhCA3s41HOwb+ruyEu/+7vZd99vu+698b' +
  'cW7wDAEMAcmAjgCFAA019ACB+IAYEIB1wGAFQwahJNSTSXtwj9kLYz82+xIYAVgDkAWgDYA0AQAGoFeQwwAZJ5MATJ4BPgwB2jflBpZ5eKALCsGOtCHy8zX5' +
  'oAIgRP9gSABQTP/Lz16EAIgRP9gSABQTP/Lz1+oAD/8AOw1fA8bwCTX52CABf+CCA6AaL4In/RoI3/Abf6pvPgBECJ/sCQAKCZ/5egvPgBECJ/sCQAKCZ/5f' +
  'xoAP0IADoNCEAeMwBLrzAQAL+4AlANASP+gSwCA2/PXKAFIAQoGFgOgDBPGv0FgO8dsaAWfd/+vEtTM6HffXVuzfpIIH4wBqTQDQCgCYohDCgC3kNCU7BO2x' +
  'RI5juvnjr4IAfggAVADQALwBuAOgHYA/IXAqACAoBiQyEQv8AWJDSywGGGkMpgFOQM3Qj8Y5J3v0IARgiAFAkf9gmACXoLz4ARgiAFAkf9gmACXoL6YAfAhg' +
  'FBgCMEv/331gIH6GwIP8YBqrAiADGYEUAgMgAAABAABX//uAAAABtYEf80GAAAABARKI4HSLBxqjNv1JcOU4xfVvlgWgH4hudseN7IGZaU/bQ4iCz+/UOH4Z' +
  'zghHqBBBqzTGd/24H+pY8b0Yt9CiMx6thJ2zn7m+F/8Wt3/dhZv/2/f/v4Dpn6g7Nuyx68nbFI9E91nscFnB/A/1ksv1FMDhEsDhEsAH1RXA4RLA4RIAH+qJ' +
  'CuFHqfMo05URzWW7NueKSZ9kjAkJQjpKjgo5mFdh/Yb+ean4YnjYUA/b5iLldR+RiWW1RDA6RYKUKM7Kxm2+G/Idz/huQWS4ik5uQRvc1k51xxg7M4/GHATH' +
  'H/7jU8YnwAAAAQISgcOccazrQ7P1n4Dzs/6ElJhfYePbsFGvt8zr3dITrA4RIAHkAD2poqA2RaimBwiWBwiWAD6orgcIlgcIkOAW6o+JMDvvnPD+MUe+CRhy' +
  'IPUBBwp9Cg8WOGEZQfUDB5E2wH8tje6s5r9HTYHCJZvEinO/PFZT91d1skl2AD6AB7AAAAEDEqHIlgcIkHAMxbIdx7LGhCN/YHCJYAPqmioDZFqKYHCJYHCJ' +
  'YAPqiuBwiWBwiQ4BbqiJGE8f2PZlje75WycSSyuiOA4Y++ZhzGMpDuoZ0+PA32HMxPiC5jhY53MGnJdjaowOESAB9YHCJD3PXn4U57OOUhkmqLTk2AD6AAAB' +
  'BBKYAZAAlANFghf9HAAoJpERAJigDMBgWWhBRNfp6gLE3bn8CTZv+41jMMJHKgQAMuQYAIADIEP/YhAK/AD3gJiYyUjSznMFnAW5qIAXgAmIR5LLC8wHzFHK' +
  'c5THnWETAAoACMAuAQgD0AuJgFADQmANw1ABqUG9A0MKAtiEA7R+AUpKQeWg11iY8AHPu/E1JDSkMDAxWQTAM9DDw0Y7gkgB4dACEAzAEYBqAZgCAATABcQy' +
  'YTCgDAAQAMQBWAhANCaGFF4CoaGgCngFyQE4BWWktJMLQGcAfAUALCUGBgwaGjRroapkNQPYLIjswtj1G0hkpGIP4rwCYfAB0CH/wUArIMAKgARgV4Hilspk' +
  'imNc5Fp2yE/ckZPQ7EQ87bMwQxq7CJh5mAOu8AFQAoAHwCEA0ALwBKBUB2TAMBgCEBDiwHSQG4ZwMlYhgGqTgwvpzIJoYA5WtRrSSAQbLOwcRYNKIYagohhi' +
  'EIGEPIQlPyXAsWgsI77GQA8AYgD4hAJwDUAdAGKUlgFoA4JoDEmgUQjoxSUgMQEBNANA0DOSgalgwmp6BiUBO36lXmABUAEIBcAhAH4BcQiEAaEwAtDUAISi' +
  'b0AZDCgLYhAVR+NDSysSS0ZndZyoBcHnsAzOeq0Q0k1JZMJhMbMGJDSUyOvhpAAAAeAH+jEABwVxEQAFeNGncJABRjoAUgGIAXgGYBqAGAAmAEADsmAUDAC4' +
  'AMAGIAtATgIAKoxZQFQ0sAUpALkgIQA/DSw1JMSUTAASAUALCUUGDBoaS+l0DKmYznjDAIDsf8vMtW6OmJYRhpakY/m5fSeJb7Mkk/b//+ATjpICcEMAgsBU' +
  'QIAUgAiITAOSwvGDDlDtIKS/RmV+wsJY0AjGHLY8+AAAAQUSiOB0i2B0iwXwsTByjjlDqgUSRTzxSnHATCTCXE44Tm533Nw7wqEnf9mdsoJfYStXGf/8Y/eN' +
  'VxZ+Ws9Z/2b7C+3TupNRDA4RLA4RIAHkBseLqI4HCJYHCJAA8FQes89Y+o6IIDNthJprMxIAJUx48nY49iPs2OPSiI57Od1qMMCu/UnDNqiGB0i2B0i2AD+U' +
  'RCJAAAABAACX//uAAAABtYEf80GAAAABARKaDL/+AfxFqLAA9APQ6oAHQMAAMk0GkAGBjABAjUeAagHsAyBmABgAdwAAAAECEtgLwFgDKJoDRkAAAAEDEnNH' +
  'QYgAQuNgfQAa6ADaAAABBBKYAZAAlAQAi/9glABk0E0AOQA6TgE+/ApyWwCIEv/3IAPIEADOAdACABwTYBOAxAoUQiZy0f/45+oiQAvwA+Ap2CQ1YtAJoAYB' +
  '5YRAoAVABCAXAJwB+AXEwhAGhMAbhqAEJRN6CWGBgFsQgKoGuTUox5aMeNWOeAB9D4N5DSkmEwmfZiYBno7d3DRg1wSQA9ACMAzAEYBqAYgCAATABgTQwCiA' +
  'DIAQAJwBaAnAMiaGIDcA7JoaAKUgFyQEOAqWkNSGFlBgAJCEAVAYJgZyhoaS+W6BlTEEvDydEMhAUJoDvAhADYlsLyAAatAMIAZgCwkFgLIAWFAD8CvSSAwO' +
  'yXI8gB3wGxM5aFnHry1CjhNhExQDQ1oAJgBUAYAIQEAA/AEoFQHZMAwGAGoCHBoDBJLDCwMhgBaAhSNYotKUBBNKAc7cJFdpPng0ohpQUTSZmYh5GT1qJReL' +
  'zfHLxsAPgGIA+IQCcAzAHQBmGpDUE0AcE0BiTQHSEfEotIDEBATQEAaA33R/9gwmpSgYlHJe375VuYAIgArATAVALwB1wHQCAoBuTeTSYnIGoKUjrWGpQjMJ' +
  'jToMiUSIBjgLlIIXJBRZZe+JPSGoJhXwsAmQx3gDVIArAYgVAGABgAKA0oCmANAB4AOwBeAMSEQ8UXiHwKgDEBMAKgEwCdBNDUlgNuQiYQgBIAgLDNikJKSW' +
  'BXhpaUJDMGVMSSkjifomE0hhgDoEP/tJK/ylJSADTJJ8AxgBgALSSUAtgBeWAPiEjONDf8Y6AAYPFgOsAWk3FJVu60K5FIwHYAAAAQUSmgLYGIAGokHGgzgA' +
  'xpONAZwVBYBzVICypoC6VU1YPn/8cKpwAAABAADX//uAAAABtYEf80GAAAABARKkA6aqQf//5JoBsAfwCyppAAP4Hz/+AAABAhJyaBzABJ8AAAABAxJzVgA9' +
  'pwAAAQQSmAGgAJQECgCk8EYAQNBNADg1BMDU7JQh0cQdxTvAgAYlElAnEeAHYDAEMAcmAKtE0A1KwDrI5T8b2CViDtAC9AA+IX7dIaARoIAAP7CoGAEwAVgG' +
  'ACcAvAHCQKAJiYA3JoDcmJJRLKKUjhISWWjE9cQ5EUWBUsDAYTGwxBYaWa40vBiO6wRgBUMdAC0BiAPwKlgCwAfACboDAA4ALgB2AMQBqBQm5CQC1IDEAXgJ' +
  'gBQAgAYlFpclJJhRMAEwCDkJCCslBYaBXpSXkhmDKmIyUKWRzQ6AT4AwATpCcTFcAFIYRS4B0g9AnESBA/TAoCGAKGAKoAYFAF5DS7oKCk4AGfgGABqTSwHW' +
  'KGZ3/wTuKHMA0WbYRMUD2ADABQAKgC4BOAgAH4AlAqA7JhKDADUA1xNAdclhiQMhgBaAhLcYUlPQomldg3FdY/JaL5wcRJETSiakoMIZMZ8Q8Vk83EovF5lq' +
  'WiAHgCcAuAoAnANQBwAZhqS8TQBwTQGJNAdIR0YotIDEBATQEAaA333SnYMJqUoGJKAu375VuYAIAArAQAVAMQB0kB0AgKAbkPk0mFjBpRSkfusN5SCfYC6D' +
  'NJgEKMNDMTO7FFll5j3DcGITgSgBEDIAzSALQE4FQBQAZACoNKISADIAdADkAYgDUhBuxeIaQKgDEBAAKgEwCHE0vl8MALCYTABIAgSTNikJK5YFeGlpQkMx' +
  'VTEjOsDhx4+AQJAMQEyOM4ad1hBYeB48A9gHaTkiORYEAC0hgh/9lgK4AYhoBcQkHJLWPTiAR/AOwDQhIAr0gZ/wzb5mWRzjlQAAAAEFEnpUAHZgEYngcHVN' +
  'AXRHqsGL/+ppPILQVU0nzClCIAAAAQABF//7gAAAAbWBH/NBgAAAAQESpBq//jVg///04AAAAQIScjgAAAEDEnI4AAABBBKYTAKAVJgDEsDBCSSyxzJxPL20' +
  'QwA+JoBIAQoABiAvgBYAKAQ/9Q4gwArB+//gA7BCAGJpKQsIdayBACvADwCjAOSwtAAMLUxACchBoAfAVQMWWTA1CFoX+V9jRdEvDyPAIQEIBNoCkANAKgGJ' +
  'DJhYxCCjjUcAGOgEIDsChRMDRiHZR7f1MSTCkgVSSgzDUjlYnpaAMwASAGrAhgCglf+EwE3/2ATgDIEP/gOIMCB+bADYMAMyanEgoO3IqYAyATgMSyEGjCsV' +
  '1brfkZIC+wiY8AFAAoAMAEIBoAPwBKBUAAABuiEAA+wzwzNnAAAB4AEgDwdkwDAYAagIQG4DDksMSBlGIYBqn9ii0pQEE0oAnyEhJyu05lRNDCakoMIYZsgY' +
  'Q8hCVd8Si8Xm7qXh0APgGIA+IQCcA1AHABmGpLQTQBsTQGJNAdIQlBKLSAxAQE0A0DQG+6P/sGE1KUErlAXb98qwuYBQm8ArIQFQwmBJaSEGoRiQvlfZaWwX' +
  'JGJAjAJgEABOHQDGAGpCAMCEGlDfyz2MIqPAGgDoCpZNDBvyHfnAd9TEE0tAFEEshhBQ9fJyNwDiANAASgGgIv/YJQAhNPBJADgEwAzBDAIDyBAgAZg/f/wA' +
  '1LAMCEj7ZJbAIiIjQBiAmAdFAVJg1PTuN+V2I+APYAAAAQUSemnAQefgP6mnCoPJ65qQH66mr48nioyAAAABvgbID///////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////' +
  '//8=',
  'base64',
);

const bodies = new Map<number, Buffer>();

/**
 * A recording's bytes: the clip repeated up to `size` (a real MPEG-PS stream start, then more of
 * the same), so downloads of any length carry media, not zeros. One buffer per size, shared.
 */
export function recordingBody(size: number): Buffer {
  let body = bodies.get(size);
  if (body === undefined) {
    body = Buffer.alloc(size);
    for (let offset = 0; offset < size; offset += RECORDING_CLIP.length) RECORDING_CLIP.copy(body, offset, 0, Math.min(RECORDING_CLIP.length, size - offset));
    bodies.set(size, body);
  }
  return body;
}

/**
 * The answer to a `Range: bytes=N-[M]` request (RFC 9110 §14), for a simulator told to honour Range.
 * isapi.md does not say devices do, so it is opt-in (`honourRange`); by default the header is
 * ignored and the whole recording goes out with 200, as a device without Range support would.
 * Undefined: no usable single range, answer 200 with everything.
 */
export function rangeAnswer(body: Buffer, header: string | undefined): { status: 206 | 416; body: Buffer; contentRange: string } | undefined {
  const m = /^bytes=(\d+)-(\d*)$/.exec((header ?? '').trim());
  if (m === null) return undefined;
  const start = Number(m[1]);
  const last = m[2] === '' ? body.length - 1 : Math.min(Number(m[2]), body.length - 1);
  if (start >= body.length || last < start) return { status: 416, body: Buffer.alloc(0), contentRange: `bytes */${body.length}` };
  return { status: 206, body: body.subarray(start, last + 1), contentRange: `bytes ${start}-${last}/${body.length}` };
}

/** Tick of the bandwidth limit: small enough that a 100 kB/s stream flows smoothly. */
const PACE_TICK_MS = 50;

/**
 * Sends `body` at `bytesPerSecond` (one connection's share of an NVR's uplink): a slice per tick,
 * waiting for the socket to drain. Resolves false when the client went away or the signal aborted.
 */
export async function paceBody(
  res: { write(chunk: Buffer): boolean; once(event: 'drain' | 'close', listener: () => void): unknown; destroyed: boolean },
  body: Buffer,
  bytesPerSecond: number,
  sleep: (ms: number) => Promise<boolean>,
): Promise<boolean> {
  const slice = Math.max(1, Math.round((bytesPerSecond * PACE_TICK_MS) / 1000));
  const started = Date.now();
  for (let offset = 0; offset < body.length; offset += slice) {
    if (res.destroyed) return false;
    const ok = res.write(body.subarray(offset, Math.min(body.length, offset + slice)));
    if (!ok) await new Promise<void>((resolve) => {
      res.once('drain', resolve);
      res.once('close', resolve);
    });
    // Paced against the start, so timer lateness does not lower the rate.
    const due = started + ((offset + slice) / bytesPerSecond) * 1000 - Date.now();
    if (due > 0 && !(await sleep(due))) return false;
  }
  return !res.destroyed;
}
